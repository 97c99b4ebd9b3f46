// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package v1alpha1

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type FunctionCode struct {
	ImageURI        *string `json:"imageURI,omitempty"`
	S3Bucket        *string `json:"s3Bucket,omitempty"`
	S3Key           *string `json:"s3Key,omitempty"`
	S3ObjectVersion *string `json:"s3ObjectVersion,omitempty"`
	SHA256          *string `json:"sha256,omitempty"`
	ZipFile         []byte  `json:"zipFile,omitempty"`
}

type DestinationConfig struct {
	OnFailure *OnFailure `json:"onFailure,omitempty"`
	OnSuccess *OnSuccess `json:"onSuccess,omitempty"`
}

type OnFailure struct {
	Destination *string `json:"destination,omitempty"`
}

type OnSuccess struct {
	Destination *string `json:"destination,omitempty"`
}

// PutFunctionEventInvokeConfigInput is the function's asynchronous invocation configuration.
type PutFunctionEventInvokeConfigInput struct {
	DestinationConfig        *DestinationConfig `json:"destinationConfig,omitempty"`
	FunctionName             *string            `json:"functionName,omitempty"`
	MaximumEventAgeInSeconds *int64             `json:"maximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int64             `json:"maximumRetryAttempts,omitempty"`
	Qualifier                *string            `json:"qualifier,omitempty"`
}

type DeadLetterConfig struct {
	TargetARN *string `json:"targetARN,omitempty"`
}

// DurableConfig is late-initialized from AWS, as by the real controller.
type DurableConfig struct {
	ExecutionTimeout      *int64 `json:"executionTimeout,omitempty"`
	RetentionPeriodInDays *int64 `json:"retentionPeriodInDays,omitempty"`
}

type Environment struct {
	Variables map[string]*string `json:"variables,omitempty"`
}

type EphemeralStorage struct {
	Size *int64 `json:"size,omitempty"`
}

type ImageConfig struct {
	Command          []*string `json:"command,omitempty"`
	EntryPoint       []*string `json:"entryPoint,omitempty"`
	WorkingDirectory *string   `json:"workingDirectory,omitempty"`
}

type LoggingConfig struct {
	ApplicationLogLevel *string `json:"applicationLogLevel,omitempty"`
	LogFormat           *string `json:"logFormat,omitempty"`
	LogGroup            *string `json:"logGroup,omitempty"`
	SystemLogLevel      *string `json:"systemLogLevel,omitempty"`
}

type TracingConfig struct {
	Mode *string `json:"mode,omitempty"`
}

type VPCConfig struct {
	SecurityGroupIDs []*string `json:"securityGroupIDs,omitempty"`
	SubnetIDs        []*string `json:"subnetIDs,omitempty"`
}

// FunctionSpec: a Lambda function (ACK lambda-controller 1.14.1 names).
type FunctionSpec struct {
	Architectures []*string `json:"architectures,omitempty"`
	// +kubebuilder:validation:Required
	Code                      *FunctionCode                      `json:"code"`
	CodeSigningConfigARN      *string                            `json:"codeSigningConfigARN,omitempty"`
	DeadLetterConfig          *DeadLetterConfig                  `json:"deadLetterConfig,omitempty"`
	Description               *string                            `json:"description,omitempty"`
	DurableConfig             *DurableConfig                     `json:"durableConfig,omitempty"`
	Environment               *Environment                       `json:"environment,omitempty"`
	EphemeralStorage          *EphemeralStorage                  `json:"ephemeralStorage,omitempty"`
	FunctionEventInvokeConfig *PutFunctionEventInvokeConfigInput `json:"functionEventInvokeConfig,omitempty"`
	Handler                   *string                            `json:"handler,omitempty"`
	ImageConfig               *ImageConfig                       `json:"imageConfig,omitempty"`
	KMSKeyARN                 *string                            `json:"kmsKeyARN,omitempty"`
	Layers                    []*string                          `json:"layers,omitempty"`
	LoggingConfig             *LoggingConfig                     `json:"loggingConfig,omitempty"`
	MemorySize                *int64                             `json:"memorySize,omitempty"`
	// +kubebuilder:validation:Required
	Name                         *string `json:"name"`
	PackageType                  *string `json:"packageType,omitempty"`
	Publish                      *bool   `json:"publish,omitempty"`
	ReservedConcurrentExecutions *int64  `json:"reservedConcurrentExecutions,omitempty"`
	Role                         *string `json:"role,omitempty"`
	// A reference to an iam.services.k8s.aws Role (not installed in the sandbox).
	RoleRef       *ackv1alpha1.AWSResourceReferenceWrapper `json:"roleRef,omitempty"`
	Runtime       *string                                  `json:"runtime,omitempty"`
	Tags          map[string]*string                       `json:"tags,omitempty"`
	Timeout       *int64                                   `json:"timeout,omitempty"`
	TracingConfig *TracingConfig                           `json:"tracingConfig,omitempty"`
	VPCConfig     *VPCConfig                               `json:"vpcConfig,omitempty"`
}

type ImageConfigError struct {
	ErrorCode *string `json:"errorCode,omitempty"`
	Message   *string `json:"message,omitempty"`
}

type ImageConfigResponse struct {
	Error       *ImageConfigError `json:"error,omitempty"`
	ImageConfig *ImageConfig      `json:"imageConfig,omitempty"`
}

// FunctionStatus: what the controller observed.
type FunctionStatus struct {
	// +kubebuilder:validation:Optional
	ACKResourceMetadata *ackv1alpha1.ResourceMetadata `json:"ackResourceMetadata"`
	// +kubebuilder:validation:Optional
	Conditions []*ackv1alpha1.Condition `json:"conditions"`
	// +kubebuilder:validation:Optional
	CodeSHA256 *string `json:"codeSHA256,omitempty"`
	// +kubebuilder:validation:Optional
	CodeSize *int64 `json:"codeSize,omitempty"`
	// +kubebuilder:validation:Optional
	ImageConfigResponse *ImageConfigResponse `json:"imageConfigResponse,omitempty"`
	// +kubebuilder:validation:Optional
	LastModified *string `json:"lastModified,omitempty"`
	// +kubebuilder:validation:Optional
	LastUpdateStatus *string `json:"lastUpdateStatus,omitempty"`
	// +kubebuilder:validation:Optional
	LastUpdateStatusReason *string `json:"lastUpdateStatusReason,omitempty"`
	// +kubebuilder:validation:Optional
	LastUpdateStatusReasonCode *string `json:"lastUpdateStatusReasonCode,omitempty"`
	// +kubebuilder:validation:Optional
	RevisionID *string `json:"revisionID,omitempty"`
	// +kubebuilder:validation:Optional
	State *string `json:"state,omitempty"`
	// +kubebuilder:validation:Optional
	StateReason *string `json:"stateReason,omitempty"`
	// +kubebuilder:validation:Optional
	StateReasonCode *string `json:"stateReasonCode,omitempty"`
	// +kubebuilder:validation:Optional
	Version *string `json:"version,omitempty"`
}

// Function is a Lambda function.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="State",type=string,priority=0,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Synced",type="string",priority=0,JSONPath=".status.conditions[?(@.type==\"ACK.ResourceSynced\")].status"
// +kubebuilder:printcolumn:name="Age",type="date",priority=0,JSONPath=".metadata.creationTimestamp"
type Function struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              FunctionSpec   `json:"spec,omitempty"`
	Status            FunctionStatus `json:"status,omitempty"`
}

// FunctionList is a list of Functions.
// +kubebuilder:object:root=true
type FunctionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Function `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Function{}, &FunctionList{})
}
