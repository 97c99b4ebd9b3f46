// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"reflect"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	"k8s.io/apimachinery/pkg/api/equality"
)

// Equal compares two values of a field that need more than a deep comparison (JSON documents).
type Equal func(a, b reflect.Value) bool

// SpecDelta compares a.Spec with b.Spec the way ACK's generated delta.go does: a field set on one
// side only is a difference; pointers to structs are compared field by field, so differences are
// reported at the leaves (Spec.Code.ImageURI); lists and maps compare as wholes, an empty one
// equal to none. Paths in skip are left out (generator.yaml compare.is_ignored, or compared by
// the kind itself); paths in custom use their own equality.
func SpecDelta(a, b any, skip []string, custom map[string]Equal) *ackcompare.Delta {
	delta := ackcompare.NewDelta()
	compareStruct(delta, "Spec", field(a, "Spec"), field(b, "Spec"), skip, custom)
	return delta
}

func compareStruct(delta *ackcompare.Delta, path string, a, b reflect.Value, skip []string, custom map[string]Equal) {
	for i := 0; i < a.NumField(); i++ {
		name := a.Type().Field(i).Name
		compareValue(delta, path+"."+name, a.Field(i), b.Field(i), skip, custom)
	}
}

func compareValue(delta *ackcompare.Delta, path string, a, b reflect.Value, skip []string, custom map[string]Equal) {
	if contains(skip, path) {
		return
	}
	switch a.Kind() {
	case reflect.Ptr:
		switch {
		case a.IsNil() != b.IsNil():
			delta.Add(path, a.Interface(), b.Interface())
		case a.IsNil():
		case custom[path] != nil:
			if !custom[path](a.Elem(), b.Elem()) {
				delta.Add(path, a.Interface(), b.Interface())
			}
		case a.Elem().Kind() == reflect.Struct && a.Elem().Type().PkgPath() != "k8s.io/apimachinery/pkg/apis/meta/v1":
			compareStruct(delta, path, a.Elem(), b.Elem(), skip, custom)
		case !equality.Semantic.DeepEqual(a.Interface(), b.Interface()):
			delta.Add(path, a.Interface(), b.Interface())
		}
	case reflect.Slice, reflect.Map:
		if a.Len() == 0 && b.Len() == 0 {
			return
		}
		if a.Len() != b.Len() || !equality.Semantic.DeepEqual(a.Interface(), b.Interface()) {
			delta.Add(path, a.Interface(), b.Interface())
		}
	default:
		if !equality.Semantic.DeepEqual(a.Interface(), b.Interface()) {
			delta.Add(path, a.Interface(), b.Interface())
		}
	}
}

// JSONDocument compares two JSON documents held in *string fields (generator.yaml is_document).
func JSONDocument(a, b reflect.Value) bool {
	equal, err := ackcompare.DocumentEqual(a.String(), b.String())
	return err == nil && equal
}

// IAMPolicy compares two IAM policy documents (generator.yaml is_iam_policy).
func IAMPolicy(a, b reflect.Value) bool {
	equal, err := ackcompare.IAMPolicyDocumentEqual(a.String(), b.String())
	return err == nil && equal
}
