// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package function

import (
	"context"
	"errors"
	"strings"
	"time"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	ackrequeue "github.com/aws-controllers-k8s/runtime/pkg/requeue"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

var (
	waitPending  = ackrequeue.NeededAfter(errors.New("function in 'Pending' state, cannot be modified or deleted"), 5*time.Second)
	waitDeleting = ackrequeue.NeededAfter(errors.New("function in 'Deleting' state, cannot be modified or deleted"), 5*time.Second)
	waitImage    = ackrequeue.NeededAfter(errors.New("source image does not exist"), time.Minute)
	errImageCSC  = errors.New("cannot set function code signing config when package type is Image")
)

type ops struct {
	env    *ackkind.Env
	lambda *lambda.Client
}

func newOps(env *ackkind.Env) ackkind.Ops[*lambdav1.Function] {
	return &ops{env: env, lambda: lambda.NewFromConfig(env.AWS)}
}

func notFound(err error, codes ...string) bool {
	awsErr, ok := ackerr.AWSError(err)
	if !ok {
		return false
	}
	for _, c := range append(codes, "ResourceNotFoundException") {
		if awsErr.ErrorCode() == c {
			return true
		}
	}
	return false
}

func (o *ops) Find(ctx context.Context, r *lambdav1.Function) (*lambdav1.Function, error) {
	if r.Spec.Name == nil {
		return nil, ackerr.NotFound
	}
	resp, err := o.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: r.Spec.Name})
	o.env.Record("READ_ONE", "GetFunction", err)
	if err != nil {
		if notFound(err) {
			return nil, ackerr.NotFound
		}
		return nil, err
	}
	ko := r.DeepCopy()
	fromConfiguration(ko, resp.Configuration)
	o.env.SetStatusDefaults(ko)
	if resp.Code != nil && resp.Code.ImageUri != nil {
		if ko.Spec.Code == nil {
			ko.Spec.Code = &lambdav1.FunctionCode{}
		}
		ko.Spec.Code.ImageURI = resp.Code.ImageUri
	}
	if resp.Configuration.Layers != nil {
		ko.Spec.Layers = nil
		for _, l := range resp.Configuration.Layers {
			ko.Spec.Layers = append(ko.Spec.Layers, l.Arn)
		}
	}
	if resp.Tags != nil {
		ko.Spec.Tags = ackkind.PointerMap(resp.Tags)
	}
	return ko, o.readAdditionalFields(ctx, ko)
}

// readAdditionalFields: reserved concurrency, asynchronous invocation configuration and, for
// Zip functions, the code signing configuration; each is its own call.
func (o *ops) readAdditionalFields(ctx context.Context, ko *lambdav1.Function) error {
	conc, err := o.lambda.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: ko.Spec.Name})
	o.env.Record("GET", "GetFunctionConcurrency", err)
	switch {
	case notFound(err):
		ko.Spec.ReservedConcurrentExecutions = nil
	case err != nil:
		return err
	default:
		ko.Spec.ReservedConcurrentExecutions = ackkind.Int64(conc.ReservedConcurrentExecutions)
	}
	invoke, err := o.lambda.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: ko.Spec.Name})
	o.env.Record("GET", "GetFunctionEventInvokeConfig", err)
	switch {
	case notFound(err, "EventInvokeConfigNotFoundException"):
		ko.Spec.FunctionEventInvokeConfig = nil
	case err != nil:
		return err
	default:
		ko.Spec.FunctionEventInvokeConfig = invokeConfigFromAWS(invoke)
	}
	if aws.ToString(ko.Spec.PackageType) == "Zip" {
		csc, err := o.lambda.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: ko.Spec.Name})
		o.env.Record("GET", "GetFunctionCodeSigningConfig", err)
		if err != nil {
			return err
		}
		if csc.CodeSigningConfigArn != nil {
			ko.Spec.CodeSigningConfigARN = csc.CodeSigningConfigArn
		}
	}
	if aws.ToString(ko.Spec.PackageType) == "Image" && aws.ToString(ko.Spec.CodeSigningConfigARN) != "" {
		return ackerr.NewTerminalError(errImageCSC)
	}
	return nil
}

func (o *ops) Create(ctx context.Context, desired *lambdav1.Function) (*lambdav1.Function, error) {
	resp, err := o.lambda.CreateFunction(ctx, createInput(desired))
	o.env.Record("CREATE", "CreateFunction", err)
	if err != nil {
		return nil, err
	}
	ko := desired.DeepCopy()
	cfg := lambdaConfiguration(resp)
	fromConfiguration(ko, &cfg)
	o.env.SetStatusDefaults(ko)
	return ko, nil
}

func (o *ops) Update(ctx context.Context, desired, latest *lambdav1.Function, delta *ackcompare.Delta) (*lambdav1.Function, error) {
	withStatus := desired.DeepCopy()
	withStatus.Status = latest.Status
	if aws.ToString(latest.Status.State) == "Pending" {
		return withStatus, waitPending
	}
	if err := o.updateExtras(ctx, desired, latest, delta); err != nil {
		return withStatus, err
	}
	switch {
	case delta.DifferentAt("Spec.Code.ImageURI") || delta.DifferentAt("Spec.Code.SHA256") || delta.DifferentAt("Spec.Architectures"):
		if err := o.updateCode(ctx, desired, latest, delta); err != nil {
			if strings.Contains(err.Error(), "Provide a valid source image.") {
				return withStatus, waitImage
			}
			return withStatus, err
		}
	case delta.DifferentExcept("Spec.Code", "Spec.Tags", "Spec.ReservedConcurrentExecutions",
		"Spec.FunctionEventInvokeConfig", "Spec.CodeSigningConfigARN"):
		_, err := o.lambda.UpdateFunctionConfiguration(ctx, configurationUpdate(desired, delta))
		o.env.Record("UPDATE", "UpdateFunctionConfiguration", err)
		if err != nil {
			return withStatus, err
		}
	}
	read, err := o.Find(ctx, desired)
	if err != nil {
		return withStatus, err
	}
	return read, nil
}

func (o *ops) updateCode(ctx context.Context, desired, latest *lambdav1.Function, delta *ackcompare.Delta) error {
	in := &lambda.UpdateFunctionCodeInput{FunctionName: desired.Spec.Name, Architectures: architectures(desired.Spec.Architectures)}
	code, latestCode := desired.Spec.Code, latest.Spec.Code
	switch {
	case code == nil:
	case delta.DifferentAt("Spec.Code.SHA256") && code.SHA256 != nil:
		in.S3Bucket, in.S3Key, in.S3ObjectVersion, in.ZipFile = code.S3Bucket, code.S3Key, code.S3ObjectVersion, code.ZipFile
	case delta.DifferentAt("Spec.Code.ImageURI") && code.ImageURI != nil:
		in.ImageUri = code.ImageURI
	case latestCode != nil && aws.ToString(latest.Spec.PackageType) == "Image":
		in.ImageUri = latestCode.ImageURI
	case latestCode != nil && aws.ToString(latest.Spec.PackageType) == "Zip":
		in.S3Bucket, in.S3Key = latestCode.S3Bucket, latestCode.S3Key
	}
	_, err := o.lambda.UpdateFunctionCode(ctx, in)
	o.env.Record("UPDATE", "UpdateFunctionCode", err)
	return err
}

// Delete waits 5 s after DeleteFunction, then the next read finds the function gone.
func (o *ops) Delete(ctx context.Context, r *lambdav1.Function) (*lambdav1.Function, error) {
	if aws.ToString(r.Status.State) == "Deleting" {
		return r, waitDeleting
	}
	_, err := o.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: r.Spec.Name})
	o.env.Record("DELETE", "DeleteFunction", err)
	if err == nil {
		return r, waitDeleting
	}
	return nil, err
}
