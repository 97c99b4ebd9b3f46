// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package function reconciles lambda Function resources, following lambda-controller v1.14.1
// (generator.yaml, pkg/resource/function): no terminal error codes at all (a role Lambda cannot
// assume or a missing image stays ACK.Recoverable and is retried), synced when the state is
// Active or Inactive, whatever lastUpdateStatus says; a deleted function is waited for 5 s.
package function

import (
	"context"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"k8s.io/apimachinery/pkg/runtime/schema"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Kind is the Function kind.
var Kind = &ackkind.Kind[*lambdav1.Function]{
	GVK:           lambdav1.GroupVersion.WithKind("Function"),
	New:           func() *lambdav1.Function { return &lambdav1.Function{} },
	NewOps:        newOps,
	Delta:         delta,
	PrimaryKey:    "name",
	SetPrimaryKey: func(f *lambdav1.Function, name string) { f.Spec.Name = &name },
	Synced: func(f *lambdav1.Function) bool {
		state := aws.ToString(f.Status.State)
		return state == "Active" || state == "Inactive"
	},
	Tags:       ackkind.MapTags(func(f *lambdav1.Function) *map[string]*string { return &f.Spec.Tags }),
	References: roleReference{},
	// generator.yaml: DurableConfig late_initialize with skip_incomplete_check; ACK.LateInitialized
	// is set on every reconcile, whether or not AWS answered one.
	LateInit: &ackkind.LateInit[*lambdav1.Function]{
		Fill: func(observed, latest *lambdav1.Function) {
			if observed.Spec.DurableConfig != nil && latest.Spec.DurableConfig == nil {
				latest.Spec.DurableConfig = observed.Spec.DurableConfig
			}
		},
	},
}

// delta: the code's SHA256 counts only for Zip functions and is compared with the deployed code.
func delta(a, b *lambdav1.Function) *ackcompare.Delta {
	d := ackcompare.NewDelta()
	if a.Spec.Code != nil && b.Spec.Code != nil && aws.ToString(a.Spec.PackageType) == "Zip" && a.Spec.Code.SHA256 != nil {
		if aws.ToString(a.Spec.Code.SHA256) != aws.ToString(b.Status.CodeSHA256) {
			d.Add("Spec.Code.SHA256", a.Spec.Code.SHA256, b.Status.CodeSHA256)
		}
	}
	d.Differences = append(d.Differences, ackkind.SpecDelta(a, b, []string{"Spec.Code.SHA256"}, nil).Differences...)
	return d
}

// roleReference resolves spec.roleRef: an iam.services.k8s.aws Role's ARN.
type roleReference struct{}

var roleTarget = ackkind.Target{
	GVK:   schema.GroupVersionKind{Group: "iam.services.k8s.aws", Version: "v1alpha1", Kind: "Role"},
	Field: []string{"status", "ackResourceMetadata", "arn"},
}

func (roleReference) Resolve(ctx context.Context, env *ackkind.Env, reader rtclient.Reader, f *lambdav1.Function) (bool, error) {
	if f.Spec.RoleRef == nil || f.Spec.RoleRef.From == nil {
		return false, nil
	}
	if f.Spec.Role != nil {
		return true, ackerr.ResourceReferenceAndIDNotSupportedFor("Role", "RoleRef")
	}
	arn, err := ackkind.ResolveRef(ctx, env, reader, f, f.Spec.RoleRef, roleTarget, "RoleRef")
	if err != nil {
		return true, err
	}
	f.Spec.Role = &arn
	return true, nil
}

func (roleReference) Clear(f *lambdav1.Function) {
	if f.Spec.RoleRef != nil {
		f.Spec.Role = nil
	}
}
