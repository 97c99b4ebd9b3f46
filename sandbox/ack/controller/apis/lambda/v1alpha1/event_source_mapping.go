// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package v1alpha1

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type Filter struct {
	Pattern *string `json:"pattern,omitempty"`
}

type FilterCriteria struct {
	Filters []*Filter `json:"filters,omitempty"`
}

type ScalingConfig struct {
	MaximumConcurrency *int64 `json:"maximumConcurrency,omitempty"`
}

// EventSourceMappingSpec: a Lambda event source mapping (ACK lambda-controller 1.14.1 names).
// For SQS, eventSourceARN is the queue's ARN; the function is functionName or functionRef.
type EventSourceMappingSpec struct {
	BatchSize                  *int64          `json:"batchSize,omitempty"`
	BisectBatchOnFunctionError *bool           `json:"bisectBatchOnFunctionError,omitempty"`
	Enabled                    *bool           `json:"enabled,omitempty"`
	EventSourceARN             *string         `json:"eventSourceARN,omitempty"`
	FilterCriteria             *FilterCriteria `json:"filterCriteria,omitempty"`
	FunctionName               *string         `json:"functionName,omitempty"`
	// A reference to a Function of this controller (its spec.name is used).
	FunctionRef                    *ackv1alpha1.AWSResourceReferenceWrapper `json:"functionRef,omitempty"`
	FunctionResponseTypes          []*string                                `json:"functionResponseTypes,omitempty"`
	MaximumBatchingWindowInSeconds *int64                                   `json:"maximumBatchingWindowInSeconds,omitempty"`
	MaximumRecordAgeInSeconds      *int64                                   `json:"maximumRecordAgeInSeconds,omitempty"`
	MaximumRetryAttempts           *int64                                   `json:"maximumRetryAttempts,omitempty"`
	ParallelizationFactor          *int64                                   `json:"parallelizationFactor,omitempty"`
	ScalingConfig                  *ScalingConfig                           `json:"scalingConfig,omitempty"`
	StartingPosition               *string                                  `json:"startingPosition,omitempty"`
	StartingPositionTimestamp      *metav1.Time                             `json:"startingPositionTimestamp,omitempty"`
	Tags                           map[string]*string                       `json:"tags,omitempty"`
	TumblingWindowInSeconds        *int64                                   `json:"tumblingWindowInSeconds,omitempty"`
}

// EventSourceMappingStatus: what the controller observed.
type EventSourceMappingStatus struct {
	// +kubebuilder:validation:Optional
	ACKResourceMetadata *ackv1alpha1.ResourceMetadata `json:"ackResourceMetadata"`
	// +kubebuilder:validation:Optional
	Conditions []*ackv1alpha1.Condition `json:"conditions"`
	// +kubebuilder:validation:Optional
	FunctionARN *string `json:"functionARN,omitempty"`
	// +kubebuilder:validation:Optional
	LastModified *metav1.Time `json:"lastModified,omitempty"`
	// +kubebuilder:validation:Optional
	LastProcessingResult *string `json:"lastProcessingResult,omitempty"`
	// +kubebuilder:validation:Optional
	State *string `json:"state,omitempty"`
	// +kubebuilder:validation:Optional
	StateTransitionReason *string `json:"stateTransitionReason,omitempty"`
	// +kubebuilder:validation:Optional
	UUID *string `json:"uuid,omitempty"`
}

// EventSourceMapping maps an event source (here an SQS queue) to a Lambda function.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="UUID",type=string,priority=0,JSONPath=`.status.uuid`
// +kubebuilder:printcolumn:name="State",type=string,priority=0,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Synced",type="string",priority=0,JSONPath=".status.conditions[?(@.type==\"ACK.ResourceSynced\")].status"
// +kubebuilder:printcolumn:name="Age",type="date",priority=0,JSONPath=".metadata.creationTimestamp"
type EventSourceMapping struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              EventSourceMappingSpec   `json:"spec,omitempty"`
	Status            EventSourceMappingStatus `json:"status,omitempty"`
}

// EventSourceMappingList is a list of EventSourceMappings.
// +kubebuilder:object:root=true
type EventSourceMappingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EventSourceMapping `json:"items"`
}

func init() {
	SchemeBuilder.Register(&EventSourceMapping{}, &EventSourceMappingList{})
}
