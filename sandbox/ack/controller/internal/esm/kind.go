// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package esm reconciles lambda EventSourceMapping resources, following lambda-controller
// v1.14.1 (generator.yaml, pkg/resource/event_source_mapping): found by status.uuid, synced in
// any state, no terminal error codes, functionRef resolved to the Function's spec.name. As in
// the real controller, spec.enabled and spec.functionName are not read back from AWS, so a
// change of either alone is no difference.
package esm

import (
	"context"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

type ESM = lambdav1.EventSourceMapping

// Kind is the EventSourceMapping kind.
var Kind = &ackkind.Kind[*ESM]{
	GVK:           lambdav1.GroupVersion.WithKind("EventSourceMapping"),
	New:           func() *ESM { return &ESM{} },
	NewOps:        newOps,
	Delta:         delta,
	PrimaryKey:    "uuid",
	SetPrimaryKey: func(e *ESM, uuid string) { e.Status.UUID = &uuid },
	Tags:          ackkind.MapTags(func(e *ESM) *map[string]*string { return &e.Spec.Tags }),
	References:    functionReference{},
}

// delta: filters compare by their patterns, in order.
func delta(a, b *ESM) *ackcompare.Delta {
	d := ackcompare.NewDelta()
	fa, fb := a.Spec.FilterCriteria, b.Spec.FilterCriteria
	if ackcompare.HasNilDifference(fa, fb) {
		d.Add("Spec.FilterCriteria", fa, fb)
	} else if fa != nil && !samePatterns(fa.Filters, fb.Filters) {
		d.Add("Spec.FilterCriteria.Filters", fa, fb)
	}
	d.Differences = append(d.Differences, ackkind.SpecDelta(a, b, []string{"Spec.FilterCriteria"}, nil).Differences...)
	return d
}

func samePatterns(a, b []*lambdav1.Filter) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if ackcompare.HasNilDifference(a[i], b[i]) || (a[i] != nil && aws.ToString(a[i].Pattern) != aws.ToString(b[i].Pattern)) {
			return false
		}
	}
	return true
}

// functionReference resolves spec.functionRef to the referenced Function's spec.name.
type functionReference struct{}

var functionTarget = ackkind.Target{GVK: lambdav1.GroupVersion.WithKind("Function"), Field: []string{"spec", "name"}}

func (functionReference) Resolve(ctx context.Context, env *ackkind.Env, reader rtclient.Reader, e *ESM) (bool, error) {
	if e.Spec.FunctionRef == nil || e.Spec.FunctionRef.From == nil {
		return false, nil
	}
	if e.Spec.FunctionName != nil {
		return true, ackerr.ResourceReferenceAndIDNotSupportedFor("FunctionName", "FunctionRef")
	}
	name, err := ackkind.ResolveRef(ctx, env, reader, e, e.Spec.FunctionRef, functionTarget, "FunctionRef")
	if err != nil {
		return true, err
	}
	e.Spec.FunctionName = &name
	return true, nil
}

func (functionReference) Clear(e *ESM) {
	if e.Spec.FunctionRef != nil {
		e.Spec.FunctionName = nil
	}
}
