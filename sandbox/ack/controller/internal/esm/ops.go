// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package esm

import (
	"context"
	"encoding/json"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
	"ackops.local/sandbox/ack-controller/internal/lambdatags"
)

type ops struct {
	env    *ackkind.Env
	lambda *lambda.Client
}

func newOps(env *ackkind.Env) ackkind.Ops[*ESM] {
	return &ops{env: env, lambda: lambda.NewFromConfig(env.AWS)}
}

func (o *ops) Find(ctx context.Context, r *ESM) (*ESM, error) {
	if r.Status.UUID == nil {
		return nil, ackerr.NotFound
	}
	resp, err := o.lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: r.Status.UUID})
	o.env.Record("READ_ONE", "GetEventSourceMapping", err)
	if err != nil {
		if awsErr, ok := ackerr.AWSError(err); ok && awsErr.ErrorCode() == "ResourceNotFoundException" {
			return nil, ackerr.NotFound
		}
		return nil, err
	}
	ko := r.DeepCopy()
	fromConfiguration(ko, configuration(resp))
	o.env.SetStatusDefaults(ko)
	arn := ackkind.ARNOf(ko)
	if arn == nil {
		return ko, nil
	}
	tags, err := o.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: arn})
	o.env.Record("READ_MANY", "ListTags", err)
	if err != nil {
		return nil, err
	}
	ko.Spec.Tags = ackkind.PointerMap(tags.Tags)
	return ko, nil
}

func (o *ops) Create(ctx context.Context, desired *ESM) (*ESM, error) {
	in := createInput(desired)
	resp, err := o.lambda.CreateEventSourceMapping(ctx, in)
	o.env.Record("CREATE", "CreateEventSourceMapping", err)
	return o.answered(desired, resp, err)
}

// answered is desired with what Create- or UpdateEventSourceMapping answered.
func (o *ops) answered(desired *ESM, resp any, err error) (*ESM, error) {
	if err != nil {
		return nil, err
	}
	ko := desired.DeepCopy()
	fromConfiguration(ko, configuration(resp))
	o.env.SetStatusDefaults(ko)
	return ko, nil
}

func (o *ops) Update(ctx context.Context, desired, latest *ESM, delta *ackcompare.Delta) (*ESM, error) {
	if delta.DifferentAt("Spec.Tags") {
		err := lambdatags.Sync(ctx, o.env, o.lambda, ackkind.ARNOf(latest), desired.Spec.Tags, latest.Spec.Tags, false)
		if err != nil {
			return nil, err
		}
	}
	if !delta.DifferentExcept("Spec.Tags") {
		return desired, nil
	}
	// UpdateEventSourceMapping takes the settings CreateEventSourceMapping does, minus the event
	// source, starting position and tags: the same spec fields, by the same names.
	in := &lambda.UpdateEventSourceMappingInput{}
	raw, _ := json.Marshal(createInput(desired))
	_ = json.Unmarshal(raw, in)
	in.UUID = desired.Status.UUID
	if filtersRemoved(desired, latest, delta) {
		in.FilterCriteria = &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{}}
	}
	resp, err := o.lambda.UpdateEventSourceMapping(ctx, in)
	o.env.Record("UPDATE", "UpdateEventSourceMapping", err)
	return o.answered(desired, resp, err)
}

func filtersRemoved(desired, latest *ESM, delta *ackcompare.Delta) bool {
	if !delta.DifferentAt("Spec.FilterCriteria") {
		return false
	}
	had := latest.Spec.FilterCriteria != nil && len(latest.Spec.FilterCriteria.Filters) > 0
	has := desired.Spec.FilterCriteria != nil && len(desired.Spec.FilterCriteria.Filters) > 0
	return had && !has
}

func (o *ops) Delete(ctx context.Context, r *ESM) (*ESM, error) {
	_, err := o.lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: r.Status.UUID})
	o.env.Record("DELETE", "DeleteEventSourceMapping", err)
	return nil, err
}

func createInput(desired *ESM) *lambda.CreateEventSourceMappingInput {
	s := desired.Spec
	in := &lambda.CreateEventSourceMappingInput{FunctionName: s.FunctionName, EventSourceArn: s.EventSourceARN,
		BatchSize: ackkind.Int32(s.BatchSize), BisectBatchOnFunctionError: s.BisectBatchOnFunctionError, Enabled: s.Enabled,
		FilterCriteria: filterCriteria(s.FilterCriteria), FunctionResponseTypes: responseTypes(s.FunctionResponseTypes),
		MaximumBatchingWindowInSeconds: ackkind.Int32(s.MaximumBatchingWindowInSeconds),
		MaximumRecordAgeInSeconds:      ackkind.Int32(s.MaximumRecordAgeInSeconds), MaximumRetryAttempts: ackkind.Int32(s.MaximumRetryAttempts),
		ParallelizationFactor: ackkind.Int32(s.ParallelizationFactor), ScalingConfig: scalingConfig(s.ScalingConfig),
		StartingPosition: lambdatypes.EventSourcePosition(aws.ToString(s.StartingPosition)),
		Tags:             ackkind.StringMap(s.Tags), TumblingWindowInSeconds: ackkind.Int32(s.TumblingWindowInSeconds)}
	if s.StartingPositionTimestamp != nil {
		in.StartingPositionTimestamp = &s.StartingPositionTimestamp.Time
	}
	return in
}

// configuration: Create, Get and UpdateEventSourceMapping answer the same fields in three types.
func configuration(out any) *lambdatypes.EventSourceMappingConfiguration {
	var cfg lambdatypes.EventSourceMappingConfiguration
	raw, _ := json.Marshal(out)
	_ = json.Unmarshal(raw, &cfg)
	return &cfg
}

// fromConfiguration copies what AWS answered into spec and status; enabled and functionName are
// not part of the answer and stay as they are.
func fromConfiguration(ko *ESM, c *lambdatypes.EventSourceMappingConfiguration) {
	s, st := &ko.Spec, &ko.Status
	s.BatchSize, s.BisectBatchOnFunctionError, s.EventSourceARN = ackkind.Int64(c.BatchSize), c.BisectBatchOnFunctionError, c.EventSourceArn
	s.MaximumBatchingWindowInSeconds, s.MaximumRecordAgeInSeconds = ackkind.Int64(c.MaximumBatchingWindowInSeconds), ackkind.Int64(c.MaximumRecordAgeInSeconds)
	s.MaximumRetryAttempts, s.ParallelizationFactor = ackkind.Int64(c.MaximumRetryAttempts), ackkind.Int64(c.ParallelizationFactor)
	s.TumblingWindowInSeconds = ackkind.Int64(c.TumblingWindowInSeconds)
	s.FilterCriteria = nil
	if c.FilterCriteria != nil {
		s.FilterCriteria = &lambdav1.FilterCriteria{}
		for _, f := range c.FilterCriteria.Filters {
			s.FilterCriteria.Filters = append(s.FilterCriteria.Filters, &lambdav1.Filter{Pattern: f.Pattern})
		}
	}
	s.FunctionResponseTypes = nil
	for _, t := range c.FunctionResponseTypes {
		s.FunctionResponseTypes = append(s.FunctionResponseTypes, aws.String(string(t)))
	}
	s.ScalingConfig = nil
	if c.ScalingConfig != nil {
		s.ScalingConfig = &lambdav1.ScalingConfig{MaximumConcurrency: ackkind.Int64(c.ScalingConfig.MaximumConcurrency)}
	}
	s.StartingPosition, s.StartingPositionTimestamp = nil, nil
	if c.StartingPosition != "" {
		s.StartingPosition = aws.String(string(c.StartingPosition))
	}
	if c.StartingPositionTimestamp != nil {
		s.StartingPositionTimestamp = &metav1.Time{Time: *c.StartingPositionTimestamp}
	}
	st.FunctionARN, st.LastProcessingResult, st.State = c.FunctionArn, c.LastProcessingResult, c.State
	st.StateTransitionReason, st.UUID, st.LastModified = c.StateTransitionReason, c.UUID, nil
	if c.LastModified != nil {
		st.LastModified = &metav1.Time{Time: *c.LastModified}
	}
	if c.EventSourceMappingArn != nil {
		ackkind.SetARN(ko, c.EventSourceMappingArn)
	}
}

func filterCriteria(f *lambdav1.FilterCriteria) *lambdatypes.FilterCriteria {
	if f == nil {
		return nil
	}
	out := &lambdatypes.FilterCriteria{}
	for _, filter := range f.Filters {
		out.Filters = append(out.Filters, lambdatypes.Filter{Pattern: filter.Pattern})
	}
	return out
}

func responseTypes(in []*string) []lambdatypes.FunctionResponseType {
	var out []lambdatypes.FunctionResponseType
	for _, t := range in {
		out = append(out, lambdatypes.FunctionResponseType(aws.ToString(t)))
	}
	return out
}

func scalingConfig(c *lambdav1.ScalingConfig) *lambdatypes.ScalingConfig {
	if c == nil {
		return nil
	}
	return &lambdatypes.ScalingConfig{MaximumConcurrency: ackkind.Int32(c.MaximumConcurrency)}
}
