// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package queue

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	sqsv1 "ackops.local/sandbox/ack-controller/apis/sqs/v1alpha1"
)

func TestAttributesRoundTrip(t *testing.T) {
	q := &sqsv1.Queue{Spec: sqsv1.QueueSpec{QueueName: aws.String("q"), VisibilityTimeout: aws.String("45"),
		SQSManagedSSEEnabled: aws.String("true")}}
	attrs := specAttributes(q)
	if len(attrs) != 2 || attrs["VisibilityTimeout"] != "45" || attrs["SqsManagedSseEnabled"] != "true" {
		t.Fatalf("attributes %v", attrs)
	}
	read := q.DeepCopy()
	setAttributes(read, map[string]string{"DelaySeconds": "0", "QueueArn": "arn:aws:sqs:us-east-1:1:q"})
	if aws.ToString(read.Spec.DelaySeconds) != "0" || read.Spec.VisibilityTimeout != nil || aws.ToString(read.Spec.QueueName) != "q" {
		t.Fatalf("spec after read %+v", read.Spec)
	}
}

func TestDeltaComparesPoliciesAsDocuments(t *testing.T) {
	a := &sqsv1.Queue{Spec: sqsv1.QueueSpec{
		RedrivePolicy: aws.String(`{"deadLetterTargetArn":"arn:x","maxReceiveCount":5}`),
		Policy:        aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`)}}
	b := a.DeepCopy()
	b.Spec.RedrivePolicy = aws.String(`{ "maxReceiveCount": 5, "deadLetterTargetArn": "arn:x" }`)
	b.Spec.Policy = aws.String(`{"Statement":[{"Resource":"*","Action":"sqs:SendMessage","Effect":"Allow"}],"Version":"2012-10-17"}`)
	if d := Kind.Delta(a, b); len(d.Differences) != 0 {
		t.Fatalf("reformatted documents differ: %v", d.Differences)
	}
	b.Spec.RedrivePolicy = aws.String(`{"deadLetterTargetArn":"arn:x","maxReceiveCount":6}`)
	if d := Kind.Delta(a, b); !d.DifferentAt("Spec.RedrivePolicy") {
		t.Fatal("changed redrive policy not seen")
	}
}

func TestLateInitializationFillsTheDefaultedAttributes(t *testing.T) {
	latest := &sqsv1.Queue{Spec: sqsv1.QueueSpec{QueueName: aws.String("q"), VisibilityTimeout: aws.String("45")}}
	if !Kind.LateInit.Incomplete(latest) {
		t.Fatal("unset defaults must count as incomplete")
	}
	observed := latest.DeepCopy()
	setAttributes(observed, map[string]string{"DelaySeconds": "0", "MaximumMessageSize": "262144",
		"MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30"})
	Kind.LateInit.Fill(observed, latest)
	if Kind.LateInit.Incomplete(latest) || aws.ToString(latest.Spec.VisibilityTimeout) != "45" ||
		aws.ToString(latest.Spec.MaximumMessageSize) != "262144" || latest.Spec.Policy != nil {
		t.Fatalf("late-initialized spec %+v", latest.Spec)
	}
}
