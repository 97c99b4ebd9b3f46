// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
)

// SetStatusDefaults fills ackResourceMetadata (region, partition, owner account) and an empty
// condition list, as the generated setStatusDefaults does.
func (e *Env) SetStatusDefaults(ko any) {
	md := metadataOf(ko)
	if *md == nil {
		*md = &ackv1alpha1.ResourceMetadata{}
	}
	if (*md).Region == nil {
		region := ackv1alpha1.AWSRegion(e.Region)
		(*md).Region = &region
	}
	if (*md).Partition == nil {
		partition := ackv1alpha1.AWSPartition(e.Partition)
		(*md).Partition = &partition
	}
	if (*md).OwnerAccountID == nil {
		account := ackv1alpha1.AWSAccountID(e.Account)
		(*md).OwnerAccountID = &account
	}
	if conditions := conditionsOf(ko); *conditions == nil {
		*conditions = []*ackv1alpha1.Condition{}
	}
}

// Record counts one AWS API call in the controller's metrics, as every generated call does.
func (e *Env) Record(op, call string, err error) {
	if e.Metrics != nil {
		e.Metrics.RecordAPICall(op, call, err)
	}
}
