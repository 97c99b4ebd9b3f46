// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package v1alpha1

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type AttributeDefinition struct {
	AttributeName *string `json:"attributeName,omitempty"`
	AttributeType *string `json:"attributeType,omitempty"`
}

type KeySchemaElement struct {
	AttributeName *string `json:"attributeName,omitempty"`
	KeyType       *string `json:"keyType,omitempty"`
}

type Projection struct {
	NonKeyAttributes []*string `json:"nonKeyAttributes,omitempty"`
	ProjectionType   *string   `json:"projectionType,omitempty"`
}

type ProvisionedThroughput struct {
	ReadCapacityUnits  *int64 `json:"readCapacityUnits,omitempty"`
	WriteCapacityUnits *int64 `json:"writeCapacityUnits,omitempty"`
}

type GlobalSecondaryIndex struct {
	IndexName             *string                `json:"indexName,omitempty"`
	KeySchema             []*KeySchemaElement    `json:"keySchema,omitempty"`
	Projection            *Projection            `json:"projection,omitempty"`
	ProvisionedThroughput *ProvisionedThroughput `json:"provisionedThroughput,omitempty"`
}

type LocalSecondaryIndex struct {
	IndexName  *string             `json:"indexName,omitempty"`
	KeySchema  []*KeySchemaElement `json:"keySchema,omitempty"`
	Projection *Projection         `json:"projection,omitempty"`
}

type PointInTimeRecoverySpecification struct {
	PointInTimeRecoveryEnabled *bool `json:"pointInTimeRecoveryEnabled,omitempty"`
}

type SSESpecification struct {
	Enabled        *bool   `json:"enabled,omitempty"`
	KMSMasterKeyID *string `json:"kmsMasterKeyID,omitempty"`
	SSEType        *string `json:"sseType,omitempty"`
}

type StreamSpecification struct {
	StreamEnabled  *bool   `json:"streamEnabled,omitempty"`
	StreamViewType *string `json:"streamViewType,omitempty"`
}

type Tag struct {
	Key   *string `json:"key,omitempty"`
	Value *string `json:"value,omitempty"`
}

type TimeToLiveSpecification struct {
	AttributeName *string `json:"attributeName,omitempty"`
	Enabled       *bool   `json:"enabled,omitempty"`
}

// TableSpec: a DynamoDB table (ACK dynamodb-controller 1.9.2 names).
type TableSpec struct {
	// +kubebuilder:validation:Required
	AttributeDefinitions      []*AttributeDefinition            `json:"attributeDefinitions"`
	BillingMode               *string                           `json:"billingMode,omitempty"`
	ContinuousBackups         *PointInTimeRecoverySpecification `json:"continuousBackups,omitempty"`
	ContributorInsights       *string                           `json:"contributorInsights,omitempty"`
	DeletionProtectionEnabled *bool                             `json:"deletionProtectionEnabled,omitempty"`
	GlobalSecondaryIndexes    []*GlobalSecondaryIndex           `json:"globalSecondaryIndexes,omitempty"`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable once set"
	// +kubebuilder:validation:Required
	KeySchema []*KeySchemaElement `json:"keySchema"`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable once set"
	LocalSecondaryIndexes []*LocalSecondaryIndex `json:"localSecondaryIndexes,omitempty"`
	ProvisionedThroughput *ProvisionedThroughput `json:"provisionedThroughput,omitempty"`
	SSESpecification      *SSESpecification      `json:"sseSpecification,omitempty"`
	StreamSpecification   *StreamSpecification   `json:"streamSpecification,omitempty"`
	TableClass            *string                `json:"tableClass,omitempty"`
	// +kubebuilder:validation:Required
	TableName  *string                  `json:"tableName"`
	Tags       []*Tag                   `json:"tags,omitempty"`
	TimeToLive *TimeToLiveSpecification `json:"timeToLive,omitempty"`
}

// TableStatus: what the controller observed. The table's ARN is ackResourceMetadata.arn.
type TableStatus struct {
	// +kubebuilder:validation:Optional
	ACKResourceMetadata *ackv1alpha1.ResourceMetadata `json:"ackResourceMetadata"`
	// +kubebuilder:validation:Optional
	Conditions []*ackv1alpha1.Condition `json:"conditions"`
	// +kubebuilder:validation:Optional
	CreationDateTime *metav1.Time `json:"creationDateTime,omitempty"`
	// +kubebuilder:validation:Optional
	ItemCount *int64 `json:"itemCount,omitempty"`
	// +kubebuilder:validation:Optional
	LatestStreamARN *string `json:"latestStreamARN,omitempty"`
	// +kubebuilder:validation:Optional
	LatestStreamLabel *string `json:"latestStreamLabel,omitempty"`
	// +kubebuilder:validation:Optional
	TableID *string `json:"tableID,omitempty"`
	// +kubebuilder:validation:Optional
	TableSizeBytes *int64 `json:"tableSizeBytes,omitempty"`
	// +kubebuilder:validation:Optional
	TableStatus *string `json:"tableStatus,omitempty"`
}

// Table is a DynamoDB table.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="CLASS",type=string,priority=0,JSONPath=`.spec.tableClass`
// +kubebuilder:printcolumn:name="STATUS",type=string,priority=0,JSONPath=`.status.tableStatus`
// +kubebuilder:printcolumn:name="Synced",type="string",priority=0,JSONPath=".status.conditions[?(@.type==\"ACK.ResourceSynced\")].status"
// +kubebuilder:printcolumn:name="Age",type="date",priority=0,JSONPath=".metadata.creationTimestamp"
type Table struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              TableSpec   `json:"spec,omitempty"`
	Status            TableStatus `json:"status,omitempty"`
}

// TableList is a list of Tables.
// +kubebuilder:object:root=true
type TableList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Table `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Table{}, &TableList{})
}
