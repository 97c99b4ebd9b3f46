// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package v1alpha1

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// QueueSpec: the queue's attributes, strings as in the SQS API (ACK sqs-controller 1.6.1 names).
type QueueSpec struct {
	ContentBasedDeduplication    *string `json:"contentBasedDeduplication,omitempty"`
	DeduplicationScope           *string `json:"deduplicationScope,omitempty"`
	DelaySeconds                 *string `json:"delaySeconds,omitempty"`
	FIFOQueue                    *string `json:"fifoQueue,omitempty"`
	FIFOThroughputLimit          *string `json:"fifoThroughputLimit,omitempty"`
	KMSDataKeyReusePeriodSeconds *string `json:"kmsDataKeyReusePeriodSeconds,omitempty"`
	KMSMasterKeyID               *string `json:"kmsMasterKeyID,omitempty"`
	MaximumMessageSize           *string `json:"maximumMessageSize,omitempty"`
	MessageRetentionPeriod       *string `json:"messageRetentionPeriod,omitempty"`
	Policy                       *string `json:"policy,omitempty"`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable once set"
	// +kubebuilder:validation:Required
	QueueName                     *string            `json:"queueName"`
	ReceiveMessageWaitTimeSeconds *string            `json:"receiveMessageWaitTimeSeconds,omitempty"`
	RedriveAllowPolicy            *string            `json:"redriveAllowPolicy,omitempty"`
	RedrivePolicy                 *string            `json:"redrivePolicy,omitempty"`
	SQSManagedSSEEnabled          *string            `json:"sqsManagedSSEEnabled,omitempty"`
	Tags                          map[string]*string `json:"tags,omitempty"`
	VisibilityTimeout             *string            `json:"visibilityTimeout,omitempty"`
}

// QueueStatus: what the controller observed.
type QueueStatus struct {
	// +kubebuilder:validation:Optional
	ACKResourceMetadata *ackv1alpha1.ResourceMetadata `json:"ackResourceMetadata"`
	// +kubebuilder:validation:Optional
	Conditions []*ackv1alpha1.Condition `json:"conditions"`
	// In the real CRD too, and never set by the real controller either: the ARN is
	// ackResourceMetadata.arn.
	// +kubebuilder:validation:Optional
	QueueARN *string `json:"queueARN,omitempty"`
	// +kubebuilder:validation:Optional
	QueueURL *string `json:"queueURL,omitempty"`
}

// Queue is an SQS queue.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="visibilityTimeout",type=string,JSONPath=`.spec.visibilityTimeout`
// +kubebuilder:printcolumn:name="Synced",type="string",priority=0,JSONPath=".status.conditions[?(@.type==\"ACK.ResourceSynced\")].status"
// +kubebuilder:printcolumn:name="Age",type="date",priority=0,JSONPath=".metadata.creationTimestamp"
type Queue struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              QueueSpec   `json:"spec,omitempty"`
	Status            QueueStatus `json:"status,omitempty"`
}

// QueueList is a list of Queues.
// +kubebuilder:object:root=true
type QueueList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Queue `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Queue{}, &QueueList{})
}
