// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"fmt"
	"reflect"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackerrors "github.com/aws-controllers-k8s/runtime/pkg/errors"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"
)

// Resource is an acktypes.AWSResource over one of our custom resources.
type Resource[T Object] struct {
	KO   T
	kind *Kind[T]
}

// Wrap makes ko an acktypes.AWSResource of this kind.
func (k *Kind[T]) Wrap(ko T) *Resource[T] { return &Resource[T]{KO: ko, kind: k} }

func field(ko any, name string) reflect.Value { return reflect.ValueOf(ko).Elem().FieldByName(name) }

// conditionsOf and metadataOf reach Status.Conditions and Status.ACKResourceMetadata, which every
// kind has under the same names.
func conditionsOf(ko any) *[]*ackv1alpha1.Condition {
	return field(ko, "Status").FieldByName("Conditions").Addr().Interface().(*[]*ackv1alpha1.Condition)
}

func metadataOf(ko any) **ackv1alpha1.ResourceMetadata {
	return field(ko, "Status").FieldByName("ACKResourceMetadata").Addr().Interface().(**ackv1alpha1.ResourceMetadata)
}

// ARNOf is the resource's status.ackResourceMetadata.arn (nil while unknown).
func ARNOf(ko any) *string {
	if md := *metadataOf(ko); md != nil {
		return (*string)(md.ARN)
	}
	return nil
}

// SetARN records the AWS resource's ARN in status.ackResourceMetadata.arn.
func SetARN(ko any, arn *string) {
	md := metadataOf(ko)
	if *md == nil {
		*md = &ackv1alpha1.ResourceMetadata{}
	}
	(*md).ARN = (*ackv1alpha1.AWSResourceName)(arn)
}

func isNil(ko any) bool {
	v := reflect.ValueOf(ko)
	return !v.IsValid() || v.IsNil()
}

func (r *Resource[T]) Identifiers() acktypes.AWSResourceIdentifiers {
	return identifiers{*metadataOf(r.KO)}
}

func (r *Resource[T]) IsBeingDeleted() bool           { return !r.KO.GetDeletionTimestamp().IsZero() }
func (r *Resource[T]) RuntimeObject() rtclient.Object { return r.KO }
func (r *Resource[T]) MetaObject() metav1.Object      { return r.KO }

func (r *Resource[T]) Conditions() []*ackv1alpha1.Condition { return *conditionsOf(r.KO) }

func (r *Resource[T]) ReplaceConditions(conditions []*ackv1alpha1.Condition) {
	*conditionsOf(r.KO) = conditions
}

func (r *Resource[T]) SetObjectMeta(meta metav1.ObjectMeta) {
	field(r.KO, "ObjectMeta").Set(reflect.ValueOf(meta))
}

func (r *Resource[T]) SetStatus(from acktypes.AWSResource) {
	field(r.KO, "Status").Set(field(from.(*Resource[T]).KO, "Status"))
}

func (r *Resource[T]) SetIdentifiers(id *ackv1alpha1.AWSIdentifiers) error {
	if id.NameOrID == "" {
		return ackerrors.MissingNameIdentifier
	}
	r.kind.SetPrimaryKey(r.KO, id.NameOrID)
	return nil
}

func (r *Resource[T]) PopulateResourceFromAnnotation(fields map[string]string) error {
	value, ok := fields[r.kind.PrimaryKey]
	if !ok {
		return ackerrors.NewTerminalError(fmt.Errorf("required field missing: %s", r.kind.PrimaryKey))
	}
	r.kind.SetPrimaryKey(r.KO, value)
	return nil
}

func (r *Resource[T]) DeepCopy() acktypes.AWSResource {
	return r.kind.Wrap(r.KO.DeepCopyObject().(T))
}

type identifiers struct{ meta *ackv1alpha1.ResourceMetadata }

func (i identifiers) ARN() *ackv1alpha1.AWSResourceName {
	if i.meta == nil {
		return nil
	}
	return i.meta.ARN
}

func (i identifiers) OwnerAccountID() *ackv1alpha1.AWSAccountID {
	if i.meta == nil {
		return nil
	}
	return i.meta.OwnerAccountID
}

func (i identifiers) Region() *ackv1alpha1.AWSRegion {
	if i.meta == nil {
		return nil
	}
	return i.meta.Region
}

func (i identifiers) Partition() *ackv1alpha1.AWSPartition {
	if i.meta == nil {
		return nil
	}
	return i.meta.Partition
}
