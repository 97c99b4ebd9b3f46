// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	"k8s.io/apimachinery/pkg/runtime/schema"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// Descriptor is the kind's acktypes.AWSResourceDescriptor.
type Descriptor[T Object] struct{ kind *Kind[T] }

// Finalizer is ACK's finalizer of the kind: finalizers.<group>/<Kind>.
func (k *Kind[T]) Finalizer() string { return "finalizers." + k.GVK.Group + "/" + k.GVK.Kind }

func (d *Descriptor[T]) GroupVersionKind() schema.GroupVersionKind { return d.kind.GVK }
func (d *Descriptor[T]) EmptyRuntimeObject() rtclient.Object       { return d.kind.New() }

func (d *Descriptor[T]) ResourceFromRuntimeObject(obj rtclient.Object) acktypes.AWSResource {
	return d.kind.Wrap(obj.(T))
}

// Delta compares copies: some kinds default fields before comparing.
func (d *Descriptor[T]) Delta(a, b acktypes.AWSResource) *ackcompare.Delta {
	if ackcompare.IsNil(a) != ackcompare.IsNil(b) {
		delta := ackcompare.NewDelta()
		delta.Add("", a, b)
		return delta
	}
	ac := a.(*Resource[T]).KO.DeepCopyObject().(T)
	bc := b.(*Resource[T]).KO.DeepCopyObject().(T)
	return d.kind.Delta(ac, bc)
}

func (d *Descriptor[T]) IsManaged(res acktypes.AWSResource) bool {
	return controllerutil.ContainsFinalizer(res.RuntimeObject(), d.kind.Finalizer())
}

func (d *Descriptor[T]) MarkManaged(res acktypes.AWSResource) {
	controllerutil.AddFinalizer(res.RuntimeObject(), d.kind.Finalizer())
}

func (d *Descriptor[T]) MarkUnmanaged(res acktypes.AWSResource) {
	controllerutil.RemoveFinalizer(res.RuntimeObject(), d.kind.Finalizer())
}

func (d *Descriptor[T]) MarkAdopted(res acktypes.AWSResource) {
	obj := res.RuntimeObject()
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[ackv1alpha1.AnnotationAdopted] = "true"
	obj.SetAnnotations(annotations)
}
