// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package queue reconciles sqs Queue resources, following sqs-controller v1.6.1
// (generator.yaml, pkg/resource/queue): the queue is found by status.queueURL, its attributes
// map one to one onto spec fields, the six defaulted attributes are late-initialized, a queue
// is synced as soon as it exists, and the ARN goes to status.ackResourceMetadata.arn only.
package queue

import (
	"reflect"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"

	sqsv1 "ackops.local/sandbox/ack-controller/apis/sqs/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Kind is the Queue kind.
var Kind = &ackkind.Kind[*sqsv1.Queue]{
	GVK:    sqsv1.GroupVersion.WithKind("Queue"),
	New:    func() *sqsv1.Queue { return &sqsv1.Queue{} },
	NewOps: newOps,
	Delta: func(a, b *sqsv1.Queue) *ackcompare.Delta {
		return ackkind.SpecDelta(a, b, nil, map[string]ackkind.Equal{
			"Spec.Policy":             ackkind.IAMPolicy,
			"Spec.RedrivePolicy":      ackkind.JSONDocument,
			"Spec.RedriveAllowPolicy": ackkind.JSONDocument,
		})
	},
	TerminalCodes: []string{"InvalidAttributeName", "InvalidAttributeValue", "InvalidParameterValue", "InvalidParameterCombination"},
	PrimaryKey:    "queueURL",
	SetPrimaryKey: func(q *sqsv1.Queue, url string) { q.Status.QueueURL = &url },
	Tags:          ackkind.MapTags(func(q *sqsv1.Queue) *map[string]*string { return &q.Spec.Tags }),
	LateInit: &ackkind.LateInit[*sqsv1.Queue]{
		Fill: func(observed, latest *sqsv1.Queue) {
			for _, name := range lateInitialized {
				from, to := attr(observed, name), attr(latest, name)
				if to.IsNil() && !from.IsNil() {
					to.Set(from)
				}
			}
		},
		Incomplete: func(q *sqsv1.Queue) bool {
			for _, name := range lateInitialized {
				if name != "SqsManagedSseEnabled" && attr(q, name).IsNil() { // skip_incomplete_check
					return true
				}
			}
			return false
		},
	},
}

// lateInitialized are the attributes generator.yaml marks late_initialize.
var lateInitialized = []string{"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
	"ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout"}

// attributes maps each SQS attribute name to its spec field (all *string).
var attributes = map[string]string{
	"ContentBasedDeduplication":     "ContentBasedDeduplication",
	"DeduplicationScope":            "DeduplicationScope",
	"DelaySeconds":                  "DelaySeconds",
	"FifoQueue":                     "FIFOQueue",
	"FifoThroughputLimit":           "FIFOThroughputLimit",
	"KmsDataKeyReusePeriodSeconds":  "KMSDataKeyReusePeriodSeconds",
	"KmsMasterKeyId":                "KMSMasterKeyID",
	"MaximumMessageSize":            "MaximumMessageSize",
	"MessageRetentionPeriod":        "MessageRetentionPeriod",
	"Policy":                        "Policy",
	"ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
	"RedriveAllowPolicy":            "RedriveAllowPolicy",
	"RedrivePolicy":                 "RedrivePolicy",
	"SqsManagedSseEnabled":          "SQSManagedSSEEnabled",
	"VisibilityTimeout":             "VisibilityTimeout",
}

// attr is the spec field (a settable *string) of an SQS attribute.
func attr(q *sqsv1.Queue, attribute string) reflect.Value {
	return reflect.ValueOf(&q.Spec).Elem().FieldByName(attributes[attribute])
}

// specAttributes are the attributes the spec sets, as CreateQueue/SetQueueAttributes take them.
func specAttributes(q *sqsv1.Queue) map[string]string {
	out := map[string]string{}
	for name := range attributes {
		if v := attr(q, name); !v.IsNil() {
			out[name] = v.Elem().String()
		}
	}
	return out
}

// setAttributes writes what GetQueueAttributes returned into the spec; absent ones become nil.
func setAttributes(q *sqsv1.Queue, observed map[string]string) {
	for name := range attributes {
		v := attr(q, name)
		if value, ok := observed[name]; ok {
			v.Set(reflect.ValueOf(&value))
		} else {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}
