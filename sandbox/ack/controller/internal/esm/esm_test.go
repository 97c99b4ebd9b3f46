// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package esm

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
)

func TestEnabledAndFunctionNameAreNotReadBack(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	out := &lambda.GetEventSourceMappingOutput{UUID: aws.String("u-1"), State: aws.String("Disabled"),
		BatchSize: aws.Int32(10), LastModified: &now, EventSourceMappingArn: aws.String("arn:esm")}
	e := &ESM{Spec: lambdav1.EventSourceMappingSpec{Enabled: aws.Bool(true), FunctionName: aws.String("fn")}}
	fromConfiguration(e, configuration(out))
	if !aws.ToBool(e.Spec.Enabled) || aws.ToString(e.Spec.FunctionName) != "fn" || aws.ToInt64(e.Spec.BatchSize) != 10 ||
		aws.ToString(e.Status.UUID) != "u-1" || !e.Status.LastModified.Time.Equal(now) {
		t.Fatalf("spec %+v status %+v", e.Spec, e.Status)
	}
	if Kind.Synced != nil {
		t.Fatal("a mapping is synced in any state")
	}
}

func TestFiltersCompareByPattern(t *testing.T) {
	a := &ESM{Spec: lambdav1.EventSourceMappingSpec{FilterCriteria: &lambdav1.FilterCriteria{
		Filters: []*lambdav1.Filter{{Pattern: aws.String(`{"body":["x"]}`)}}}}}
	b := a.DeepCopy()
	if d := delta(a, b); len(d.Differences) != 0 {
		t.Fatalf("differences %v", d.Differences)
	}
	b.Spec.FilterCriteria.Filters[0].Pattern = aws.String(`{"body":["y"]}`)
	if d := delta(a, b); !d.DifferentAt("Spec.FilterCriteria.Filters") {
		t.Fatal("changed filter not seen")
	}
}

func TestUpdateTakesTheCreateSettings(t *testing.T) {
	e := &ESM{Spec: lambdav1.EventSourceMappingSpec{FunctionName: aws.String("fn"), BatchSize: aws.Int64(5),
		Enabled: aws.Bool(false), EventSourceARN: aws.String("arn:q"), FunctionResponseTypes: []*string{aws.String("ReportBatchItemFailures")}}}
	in := &lambda.UpdateEventSourceMappingInput{}
	raw, _ := json.Marshal(createInput(e))
	if err := json.Unmarshal(raw, in); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(in.FunctionName) != "fn" || aws.ToInt32(in.BatchSize) != 5 || aws.ToBool(in.Enabled) ||
		len(in.FunctionResponseTypes) != 1 || in.FunctionResponseTypes[0] != "ReportBatchItemFailures" {
		t.Fatalf("update input %+v", in)
	}
}
