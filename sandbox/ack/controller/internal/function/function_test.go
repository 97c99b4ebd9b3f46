// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package function

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
)

func TestSyncedOnStateAloneAndNoTerminalCodes(t *testing.T) {
	for state, want := range map[string]bool{"Active": true, "Inactive": true, "Pending": false, "Failed": false} {
		f := &lambdav1.Function{Status: lambdav1.FunctionStatus{State: aws.String(state), LastUpdateStatus: aws.String("InProgress")}}
		if Kind.Synced(f) != want {
			t.Errorf("%s: synced %v", state, !want)
		}
	}
	if len(Kind.TerminalCodes) != 0 {
		t.Fatalf("lambda-controller declares no terminal errors, got %v", Kind.TerminalCodes)
	}
}

func TestCreateOutputFillsSpecAndStatus(t *testing.T) {
	out := &lambda.CreateFunctionOutput{FunctionName: aws.String("fn"), MemorySize: aws.Int32(256),
		FunctionArn: aws.String("arn:aws:lambda:us-east-1:1:function:fn"), State: lambdatypes.StateActive,
		PackageType: lambdatypes.PackageTypeImage, EphemeralStorage: &lambdatypes.EphemeralStorage{Size: aws.Int32(512)}}
	f := &lambdav1.Function{Spec: lambdav1.FunctionSpec{Name: aws.String("fn"), Code: &lambdav1.FunctionCode{ImageURI: aws.String("r/i:1")}}}
	cfg := lambdaConfiguration(out)
	fromConfiguration(f, &cfg)
	if aws.ToInt64(f.Spec.MemorySize) != 256 || aws.ToInt64(f.Spec.EphemeralStorage.Size) != 512 ||
		aws.ToString(f.Status.State) != "Active" || aws.ToString(f.Spec.Code.ImageURI) != "r/i:1" ||
		string(*f.Status.ACKResourceMetadata.ARN) != "arn:aws:lambda:us-east-1:1:function:fn" {
		t.Fatalf("spec %+v status %+v", f.Spec, f.Status)
	}
}

func TestImageCodeShaIsNoDifference(t *testing.T) {
	a := &lambdav1.Function{Spec: lambdav1.FunctionSpec{PackageType: aws.String("Image"),
		Code: &lambdav1.FunctionCode{ImageURI: aws.String("r/i:1"), SHA256: aws.String("abc")}}}
	b := a.DeepCopy()
	b.Spec.Code.SHA256 = nil
	if d := delta(a, b); len(d.Differences) != 0 {
		t.Fatalf("differences %v", d.Differences)
	}
	a.Spec.PackageType = aws.String("Zip")
	b.Status.CodeSHA256 = aws.String("def")
	if d := delta(a, b); !d.DifferentAt("Spec.Code.SHA256") {
		t.Fatal("zip code change not seen")
	}
}
