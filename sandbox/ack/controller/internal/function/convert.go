// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package function

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Spec -> Lambda API.

func createInput(f *lambdav1.Function) *lambda.CreateFunctionInput {
	s := f.Spec
	in := &lambda.CreateFunctionInput{
		FunctionName: s.Name, Description: s.Description, Handler: s.Handler, KMSKeyArn: s.KMSKeyARN,
		Role: s.Role, Runtime: lambdatypes.Runtime(aws.ToString(s.Runtime)), Publish: aws.ToBool(s.Publish),
		PackageType: lambdatypes.PackageType(aws.ToString(s.PackageType)), Layers: aws.ToStringSlice(s.Layers),
		MemorySize: ackkind.Int32(s.MemorySize), Timeout: ackkind.Int32(s.Timeout), Tags: ackkind.StringMap(s.Tags),
		Architectures: architectures(s.Architectures), DeadLetterConfig: deadLetter(s.DeadLetterConfig),
		Environment: environment(s.Environment), EphemeralStorage: ephemeralStorage(s.EphemeralStorage),
		ImageConfig: imageConfig(s.ImageConfig), LoggingConfig: loggingConfig(s.LoggingConfig),
		TracingConfig: tracingConfig(s.TracingConfig), VpcConfig: vpcConfig(s.VPCConfig),
	}
	if d := s.DurableConfig; d != nil {
		in.DurableConfig = &lambdatypes.DurableConfig{ExecutionTimeout: ackkind.Int32(d.ExecutionTimeout),
			RetentionPeriodInDays: ackkind.Int32(d.RetentionPeriodInDays)}
	}
	if aws.ToString(s.CodeSigningConfigARN) != "" {
		in.CodeSigningConfigArn = s.CodeSigningConfigARN
	}
	if c := s.Code; c != nil {
		in.Code = &lambdatypes.FunctionCode{ImageUri: c.ImageURI, S3Bucket: c.S3Bucket, S3Key: c.S3Key,
			S3ObjectVersion: c.S3ObjectVersion, ZipFile: c.ZipFile}
	}
	return in
}

func architectures(in []*string) []lambdatypes.Architecture {
	var out []lambdatypes.Architecture
	for _, a := range in {
		out = append(out, lambdatypes.Architecture(aws.ToString(a)))
	}
	return out
}

func deadLetter(d *lambdav1.DeadLetterConfig) *lambdatypes.DeadLetterConfig {
	if d == nil {
		return nil
	}
	return &lambdatypes.DeadLetterConfig{TargetArn: d.TargetARN}
}

func environment(e *lambdav1.Environment) *lambdatypes.Environment {
	if e == nil {
		return nil
	}
	return &lambdatypes.Environment{Variables: ackkind.StringMap(e.Variables)}
}

func ephemeralStorage(e *lambdav1.EphemeralStorage) *lambdatypes.EphemeralStorage {
	if e == nil {
		return nil
	}
	return &lambdatypes.EphemeralStorage{Size: ackkind.Int32(e.Size)}
}

func imageConfig(c *lambdav1.ImageConfig) *lambdatypes.ImageConfig {
	if c == nil {
		return nil
	}
	return &lambdatypes.ImageConfig{Command: aws.ToStringSlice(c.Command), EntryPoint: aws.ToStringSlice(c.EntryPoint),
		WorkingDirectory: c.WorkingDirectory}
}

func loggingConfig(c *lambdav1.LoggingConfig) *lambdatypes.LoggingConfig {
	if c == nil {
		return nil
	}
	return &lambdatypes.LoggingConfig{LogGroup: c.LogGroup,
		ApplicationLogLevel: lambdatypes.ApplicationLogLevel(aws.ToString(c.ApplicationLogLevel)),
		LogFormat:           lambdatypes.LogFormat(aws.ToString(c.LogFormat)),
		SystemLogLevel:      lambdatypes.SystemLogLevel(aws.ToString(c.SystemLogLevel))}
}

func tracingConfig(c *lambdav1.TracingConfig) *lambdatypes.TracingConfig {
	if c == nil {
		return nil
	}
	return &lambdatypes.TracingConfig{Mode: lambdatypes.TracingMode(aws.ToString(c.Mode))}
}

func vpcConfig(c *lambdav1.VPCConfig) *lambdatypes.VpcConfig {
	if c == nil {
		return nil
	}
	return &lambdatypes.VpcConfig{SubnetIds: aws.ToStringSlice(c.SubnetIDs), SecurityGroupIds: aws.ToStringSlice(c.SecurityGroupIDs)}
}

// Lambda API -> spec and status: what CreateFunction and GetFunction return as the function's
// configuration; set fields overwrite the spec, absent ones clear it (the code is kept).

func fromConfiguration(ko *lambdav1.Function, c *lambdatypes.FunctionConfiguration) {
	s, st := &ko.Spec, &ko.Status
	s.Architectures = nil
	for _, a := range c.Architectures {
		s.Architectures = append(s.Architectures, aws.String(string(a)))
	}
	s.DeadLetterConfig = nil
	if c.DeadLetterConfig != nil {
		s.DeadLetterConfig = &lambdav1.DeadLetterConfig{TargetARN: c.DeadLetterConfig.TargetArn}
	}
	s.DurableConfig = nil
	if d := c.DurableConfig; d != nil {
		s.DurableConfig = &lambdav1.DurableConfig{ExecutionTimeout: ackkind.Int64(d.ExecutionTimeout),
			RetentionPeriodInDays: ackkind.Int64(d.RetentionPeriodInDays)}
	}
	s.Environment = nil
	if c.Environment != nil {
		s.Environment = &lambdav1.Environment{Variables: ackkind.PointerMap(c.Environment.Variables)}
	}
	s.EphemeralStorage = nil
	if c.EphemeralStorage != nil {
		s.EphemeralStorage = &lambdav1.EphemeralStorage{Size: ackkind.Int64(c.EphemeralStorage.Size)}
	}
	s.LoggingConfig = nil
	if l := c.LoggingConfig; l != nil {
		s.LoggingConfig = &lambdav1.LoggingConfig{LogGroup: l.LogGroup, ApplicationLogLevel: enum(string(l.ApplicationLogLevel)),
			LogFormat: enum(string(l.LogFormat)), SystemLogLevel: enum(string(l.SystemLogLevel))}
	}
	s.TracingConfig = nil
	if c.TracingConfig != nil {
		s.TracingConfig = &lambdav1.TracingConfig{Mode: enum(string(c.TracingConfig.Mode))}
	}
	s.VPCConfig = nil
	if v := c.VpcConfig; v != nil {
		s.VPCConfig = &lambdav1.VPCConfig{SubnetIDs: aws.StringSlice(v.SubnetIds), SecurityGroupIDs: aws.StringSlice(v.SecurityGroupIds)}
	}
	s.Description, s.Name, s.Handler, s.KMSKeyARN, s.Role = c.Description, c.FunctionName, c.Handler, c.KMSKeyArn, c.Role
	s.MemorySize, s.Timeout = ackkind.Int64(c.MemorySize), ackkind.Int64(c.Timeout)
	s.PackageType, s.Runtime = enum(string(c.PackageType)), enum(string(c.Runtime))
	st.CodeSHA256, st.CodeSize, st.LastModified, st.RevisionID, st.Version = c.CodeSha256, &c.CodeSize, c.LastModified, c.RevisionId, c.Version
	st.State, st.StateReason, st.StateReasonCode = enum(string(c.State)), c.StateReason, enum(string(c.StateReasonCode))
	st.LastUpdateStatus, st.LastUpdateStatusReason = enum(string(c.LastUpdateStatus)), c.LastUpdateStatusReason
	st.LastUpdateStatusReasonCode = enum(string(c.LastUpdateStatusReasonCode))
	st.ImageConfigResponse = nil
	if r := c.ImageConfigResponse; r != nil {
		st.ImageConfigResponse = &lambdav1.ImageConfigResponse{}
		if r.Error != nil {
			st.ImageConfigResponse.Error = &lambdav1.ImageConfigError{ErrorCode: r.Error.ErrorCode, Message: r.Error.Message}
		}
		if ic := r.ImageConfig; ic != nil {
			st.ImageConfigResponse.ImageConfig = &lambdav1.ImageConfig{Command: aws.StringSlice(ic.Command),
				EntryPoint: aws.StringSlice(ic.EntryPoint), WorkingDirectory: ic.WorkingDirectory}
		}
	}
	if c.FunctionArn != nil {
		ackkind.SetARN(ko, c.FunctionArn)
	}
}

// enum is an SDK enum value as the CR holds it: unset when empty.
func enum(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}
