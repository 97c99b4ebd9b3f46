// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind_test

import (
	"errors"
	"testing"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	corev1 "k8s.io/api/core/v1"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

func paths(d *ackcompare.Delta) []string {
	var out []string
	for _, diff := range d.Differences {
		raw, _ := diff.Path.MarshalJSON()
		out = append(out, string(raw))
	}
	return out
}

func TestSpecDeltaReportsLeavesAndTreatsEmptyAsUnset(t *testing.T) {
	a := &lambdav1.Function{Spec: lambdav1.FunctionSpec{Name: aws.String("f"), MemorySize: aws.Int64(128),
		Code: &lambdav1.FunctionCode{ImageURI: aws.String("r/i:1")}, Layers: []*string{}, Tags: map[string]*string{}}}
	b := a.DeepCopy()
	if d := ackkind.SpecDelta(a, b, nil, nil); len(d.Differences) != 0 {
		t.Fatalf("equal specs differ: %v", paths(d))
	}
	b.Spec.Layers, b.Spec.Tags = nil, nil // empty and unset lists/maps are the same
	if d := ackkind.SpecDelta(a, b, nil, nil); len(d.Differences) != 0 {
		t.Fatalf("empty vs nil differ: %v", paths(d))
	}
	b.Spec.Code.ImageURI = aws.String("r/i:2")
	b.Spec.MemorySize = nil
	d := ackkind.SpecDelta(a, b, nil, nil)
	if !d.DifferentAt("Spec.Code.ImageURI") || !d.DifferentAt("Spec.MemorySize") || len(d.Differences) != 2 {
		t.Fatalf("want Spec.Code.ImageURI and Spec.MemorySize, got %v", paths(d))
	}
	if d := ackkind.SpecDelta(a, b, []string{"Spec.Code.ImageURI", "Spec.MemorySize"}, nil); len(d.Differences) != 0 {
		t.Fatalf("skipped paths reported: %v", paths(d))
	}
}

func TestTagsDelta(t *testing.T) {
	set, remove := ackkind.TagsDelta(map[string]string{"a": "1", "b": "2"}, map[string]string{"b": "1", "c": "3"})
	if len(set) != 2 || set["a"] != "1" || set["b"] != "2" || len(remove) != 1 || remove[0] != "c" {
		t.Fatalf("set=%v remove=%v", set, remove)
	}
}

func TestMapTagsRoundTrip(t *testing.T) {
	field := ackkind.MapTags(func(f *lambdav1.Function) *map[string]*string { return &f.Spec.Tags })
	f := &lambdav1.Function{}
	field.Set(f, map[string]string{"k": "v", "x": "y"})
	if got := field.Get(f); len(got) != 2 || got["k"] != "v" || got["x"] != "y" {
		t.Fatalf("got %v", got)
	}
}

// The generated updateConditions, through a Manager: terminal codes make ACK.Terminal and the
// reconcile error ackerr.Terminal; other errors ACK.Recoverable with the API error's message.
func TestConditionsFromErrors(t *testing.T) {
	kind := &ackkind.Kind[*lambdav1.Function]{New: func() *lambdav1.Function { return &lambdav1.Function{} },
		TerminalCodes: []string{"ValidationException"}}
	apiErr := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "bad"} }

	res, err := ackkind.ConditionsFor(kind, &lambdav1.Function{}, apiErr("ValidationException"))
	if err != ackerr.Terminal {
		t.Fatalf("want ackerr.Terminal, got %v", err)
	}
	assertCondition(t, res, ackv1alpha1.ConditionTypeTerminal, "api error ValidationException: bad")

	res, err = ackkind.ConditionsFor(kind, &lambdav1.Function{}, apiErr("InvalidParameterValueException"))
	if err == nil || errors.Is(err, ackerr.Terminal) {
		t.Fatalf("want the AWS error back, got %v", err)
	}
	assertCondition(t, res, ackv1alpha1.ConditionTypeRecoverable, "api error InvalidParameterValueException: bad")

	res, err = ackkind.ConditionsFor(kind, &lambdav1.Function{}, ackerr.NewTerminalError(errors.New("own rule")))
	if err != ackerr.Terminal {
		t.Fatalf("a TerminalError is terminal, got %v", err)
	}
	assertCondition(t, res, ackv1alpha1.ConditionTypeTerminal, "own rule")
}

func assertCondition(t *testing.T, conditions []*ackv1alpha1.Condition, ctype ackv1alpha1.ConditionType, message string) {
	t.Helper()
	for _, c := range conditions {
		if c.Type == ctype {
			if c.Status != corev1.ConditionTrue || aws.ToString(c.Message) != message || c.LastTransitionTime != nil {
				t.Fatalf("%s: status %s message %q time %v", ctype, c.Status, aws.ToString(c.Message), c.LastTransitionTime)
			}
			return
		}
	}
	t.Fatalf("no %s condition in %v", ctype, conditions)
}
