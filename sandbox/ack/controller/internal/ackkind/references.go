// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"context"
	"fmt"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	ackrt "github.com/aws-controllers-k8s/runtime/pkg/runtime"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"
)

// Target is what a reference field points at: an ACK kind and the field whose value it takes.
type Target struct {
	GVK   schema.GroupVersionKind
	Field []string // e.g. {"status", "ackResourceMetadata", "arn"}
}

// ResolveRef returns the value a *Ref field stands for, as the generated
// getReferencedResourceState_<Kind> does: the referenced resource must exist, not be terminal,
// be synced, and have the target field. Read as unstructured, so kinds whose controller is not
// installed (iam Role) fail the way they fail on a cluster without that CRD.
func ResolveRef(
	ctx context.Context, env *Env, reader rtclient.Reader, owner rtclient.Object,
	ref *ackv1alpha1.AWSResourceReferenceWrapper, target Target, refField string,
) (string, error) {
	from := ref.From
	if from.Name == nil || *from.Name == "" {
		return "", fmt.Errorf("provided resource reference is nil or empty: %s", refField)
	}
	namespace, err := ackrt.ResolveCrossNamespaceReference(ctx, env.Cfg.EnableCrossNamespace,
		conditionsOf(owner), ackrt.CrossNamespaceRefKindResource, owner.GetNamespace(), from.Namespace, *from.Name)
	if err != nil {
		return "", err
	}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(target.GVK)
	if err := reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: *from.Name}, obj); err != nil {
		return "", err
	}
	kind := target.GVK.Kind
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	synced := false
	for _, c := range conditions {
		cond, _ := c.(map[string]any)
		switch {
		case cond["type"] == string(ackv1alpha1.ConditionTypeTerminal) && cond["status"] == string(corev1.ConditionTrue):
			return "", ackerr.ResourceReferenceTerminalFor(kind, namespace, *from.Name)
		case cond["type"] == string(ackv1alpha1.ConditionTypeResourceSynced) && cond["status"] == string(corev1.ConditionTrue):
			synced = true
		}
	}
	if !synced {
		return "", ackerr.ResourceReferenceNotSyncedFor(kind, namespace, *from.Name)
	}
	value, found, _ := unstructured.NestedString(obj.Object, target.Field...)
	if !found {
		return "", ackerr.ResourceReferenceMissingTargetFieldFor(kind, namespace, *from.Name, fieldPath(target.Field))
	}
	return value, nil
}

func fieldPath(parts []string) string {
	out := ""
	for _, p := range parts {
		if out != "" {
			out += "."
		}
		out += p
	}
	return out
}
