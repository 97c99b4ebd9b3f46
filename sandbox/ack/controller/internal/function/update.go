// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package function

import (
	"context"
	"encoding/json"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
	"ackops.local/sandbox/ack-controller/internal/lambdatags"
)

// updateExtras applies what has its own API besides the function's configuration and code.
func (o *ops) updateExtras(ctx context.Context, desired, latest *lambdav1.Function, delta *ackcompare.Delta) error {
	name := desired.Spec.Name
	if delta.DifferentAt("Spec.Tags") {
		// changed values are untagged, then tagged again, as the controller does
		err := lambdatags.Sync(ctx, o.env, o.lambda, ackkind.ARNOf(desired), desired.Spec.Tags, latest.Spec.Tags, true)
		if err != nil {
			return err
		}
	}
	if delta.DifferentAt("Spec.ReservedConcurrentExecutions") {
		var err error
		if rce := desired.Spec.ReservedConcurrentExecutions; rce != nil {
			_, err = o.lambda.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: name,
				ReservedConcurrentExecutions: ackkind.Int32(rce)})
			o.env.Record("UPDATE", "PutFunctionConcurrency", err)
		} else {
			_, err = o.lambda.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: name})
			o.env.Record("DELETE", "DeleteFunctionConcurrency", err)
		}
		if err != nil {
			return err
		}
	}
	if delta.DifferentAt("Spec.FunctionEventInvokeConfig") {
		if err := o.syncInvokeConfig(ctx, desired); err != nil {
			return err
		}
	}
	if delta.DifferentAt("Spec.CodeSigningConfigARN") {
		csc := aws.ToString(desired.Spec.CodeSigningConfigARN)
		if aws.ToString(desired.Spec.PackageType) == "Image" && csc != "" {
			return ackerr.NewTerminalError(errImageCSC)
		}
		var err error
		if csc == "" {
			_, err = o.lambda.DeleteFunctionCodeSigningConfig(ctx, &lambda.DeleteFunctionCodeSigningConfigInput{FunctionName: name})
			o.env.Record("UPDATE", "DeleteFunctionCodeSigningConfig", err)
		} else {
			_, err = o.lambda.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: name,
				CodeSigningConfigArn: &csc})
			o.env.Record("UPDATE", "PutFunctionCodeSigningConfig", err)
		}
		return err
	}
	return nil
}

func (o *ops) syncInvokeConfig(ctx context.Context, desired *lambdav1.Function) error {
	c := desired.Spec.FunctionEventInvokeConfig
	if c == nil {
		_, err := o.lambda.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: desired.Spec.Name})
		o.env.Record("DELETE", "DeleteFunctionEventInvokeConfig", err)
		return err
	}
	in := &lambda.PutFunctionEventInvokeConfigInput{FunctionName: desired.Spec.Name,
		MaximumEventAgeInSeconds: ackkind.Int32(c.MaximumEventAgeInSeconds), MaximumRetryAttempts: ackkind.Int32(c.MaximumRetryAttempts)}
	if d := c.DestinationConfig; d != nil {
		in.DestinationConfig = &lambdatypes.DestinationConfig{}
		if d.OnFailure != nil {
			in.DestinationConfig.OnFailure = &lambdatypes.OnFailure{Destination: d.OnFailure.Destination}
		}
		if d.OnSuccess != nil {
			in.DestinationConfig.OnSuccess = &lambdatypes.OnSuccess{Destination: d.OnSuccess.Destination}
		}
	}
	_, err := o.lambda.PutFunctionEventInvokeConfig(ctx, in)
	o.env.Record("UPDATE", "SyncEventInvokeConfig", err)
	return err
}

func invokeConfigFromAWS(out *lambda.GetFunctionEventInvokeConfigOutput) *lambdav1.PutFunctionEventInvokeConfigInput {
	c := &lambdav1.PutFunctionEventInvokeConfigInput{MaximumEventAgeInSeconds: ackkind.Int64(out.MaximumEventAgeInSeconds),
		MaximumRetryAttempts: ackkind.Int64(out.MaximumRetryAttempts),
		DestinationConfig:    &lambdav1.DestinationConfig{OnFailure: &lambdav1.OnFailure{}, OnSuccess: &lambdav1.OnSuccess{}}}
	if d := out.DestinationConfig; d != nil {
		if d.OnFailure != nil {
			c.DestinationConfig.OnFailure.Destination = d.OnFailure.Destination
		}
		if d.OnSuccess != nil {
			c.DestinationConfig.OnSuccess.Destination = d.OnSuccess.Destination
		}
	}
	return c
}

// configurationUpdate is UpdateFunctionConfiguration with the fields that differ; a field the
// spec no longer sets is sent empty, which resets it.
func configurationUpdate(desired *lambdav1.Function, delta *ackcompare.Delta) *lambda.UpdateFunctionConfigurationInput {
	s := desired.Spec
	in := &lambda.UpdateFunctionConfigurationInput{FunctionName: s.Name}
	changed := delta.DifferentAt
	if changed("Spec.DeadLetterConfig") {
		in.DeadLetterConfig = &lambdatypes.DeadLetterConfig{}
		if s.DeadLetterConfig != nil {
			in.DeadLetterConfig.TargetArn = s.DeadLetterConfig.TargetARN
		}
	}
	if changed("Spec.DurableConfig") && s.DurableConfig != nil {
		in.DurableConfig = &lambdatypes.DurableConfig{ExecutionTimeout: ackkind.Int32(s.DurableConfig.ExecutionTimeout),
			RetentionPeriodInDays: ackkind.Int32(s.DurableConfig.RetentionPeriodInDays)}
	}
	if changed("Spec.Description") {
		in.Description = aws.String(aws.ToString(s.Description))
	}
	if changed("Spec.Environment") {
		in.Environment = &lambdatypes.Environment{}
		if s.Environment != nil {
			in.Environment.Variables = ackkind.StringMap(s.Environment.Variables)
		}
	}
	if changed("Spec.EphemeralStorage") {
		in.EphemeralStorage = &lambdatypes.EphemeralStorage{}
		if s.EphemeralStorage != nil {
			in.EphemeralStorage.Size = ackkind.Int32(s.EphemeralStorage.Size)
		}
	}
	if changed("Spec.Handler") {
		in.Handler = aws.String(aws.ToString(s.Handler))
	}
	if changed("Spec.ImageConfig") && s.ImageConfig != nil && s.Code != nil && aws.ToString(s.Code.ImageURI) != "" {
		in.ImageConfig = imageConfig(s.ImageConfig)
	}
	if changed("Spec.KMSKeyARN") {
		in.KMSKeyArn = aws.String(aws.ToString(s.KMSKeyARN))
	}
	if changed("Spec.Layers") && len(s.Layers) > 0 {
		in.Layers = aws.ToStringSlice(s.Layers)
	}
	if changed("Spec.LoggingConfig") {
		in.LoggingConfig = loggingConfig(s.LoggingConfig)
	}
	if changed("Spec.MemorySize") {
		in.MemorySize = aws.Int32(int32(aws.ToInt64(s.MemorySize)))
	}
	if changed("Spec.Role") {
		in.Role = aws.String(aws.ToString(s.Role))
	}
	if changed("Spec.Runtime") {
		in.Runtime = lambdatypes.Runtime(aws.ToString(s.Runtime))
	}
	if changed("Spec.Timeout") {
		in.Timeout = aws.Int32(int32(aws.ToInt64(s.Timeout)))
	}
	if changed("Spec.TracingConfig") {
		in.TracingConfig = &lambdatypes.TracingConfig{}
		if s.TracingConfig != nil {
			in.TracingConfig.Mode = lambdatypes.TracingMode(aws.ToString(s.TracingConfig.Mode))
		}
	}
	if changed("Spec.VPCConfig") {
		in.VpcConfig = &lambdatypes.VpcConfig{}
		if s.VPCConfig != nil {
			in.VpcConfig = vpcConfig(s.VPCConfig)
		}
	}
	return in
}

// lambdaConfiguration: CreateFunction answers the function's configuration in its own type.
func lambdaConfiguration(out *lambda.CreateFunctionOutput) lambdatypes.FunctionConfiguration {
	var cfg lambdatypes.FunctionConfiguration
	raw, _ := json.Marshal(out)
	_ = json.Unmarshal(raw, &cfg)
	return cfg
}
