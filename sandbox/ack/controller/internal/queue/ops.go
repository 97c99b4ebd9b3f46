// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package queue

import (
	"context"
	"errors"
	"fmt"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	sqsv1 "ackops.local/sandbox/ack-controller/apis/sqs/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

type ops struct {
	env *ackkind.Env
	sqs *sqs.Client
}

func newOps(env *ackkind.Env) ackkind.Ops[*sqsv1.Queue] {
	return &ops{env: env, sqs: sqs.NewFromConfig(env.AWS)}
}

// notFound is the code sqs-controller's generator.yaml maps to 404.
func notFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "AWS.SimpleQueueService.NonExistentQueue"
}

func (o *ops) Find(ctx context.Context, r *sqsv1.Queue) (*sqsv1.Queue, error) {
	if r.Status.QueueURL == nil {
		return nil, ackerr.NotFound
	}
	resp, err := o.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: r.Status.QueueURL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	o.env.Record("GET_ATTRIBUTES", "GetQueueAttributes", err)
	if err != nil {
		if notFound(err) {
			return nil, ackerr.NotFound
		}
		return nil, err
	}
	ko := r.DeepCopy()
	setAttributes(ko, resp.Attributes)
	queueARN := resp.Attributes["QueueArn"]
	ackkind.SetARN(ko, &queueARN)
	if ko.Spec.QueueName == nil { // adopted by URL: the name is the ARN's last part
		parsed, err := arn.Parse(queueARN)
		if err != nil {
			return nil, fmt.Errorf("error parsing queue ARN: %s, error: %w", queueARN, err)
		}
		ko.Spec.QueueName = &parsed.Resource
	}
	o.env.SetStatusDefaults(ko)
	tags, err := o.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: r.Status.QueueURL})
	o.env.Record("READ_MANY", "ListQueueTags", err)
	if err != nil {
		return nil, err
	}
	ko.Spec.Tags = ackkind.PointerMap(tags.Tags)
	if ko.Spec.Tags == nil {
		ko.Spec.Tags = map[string]*string{}
	}
	return ko, nil
}

func (o *ops) Create(ctx context.Context, desired *sqsv1.Queue) (*sqsv1.Queue, error) {
	input := &sqs.CreateQueueInput{QueueName: desired.Spec.QueueName, Tags: ackkind.StringMap(desired.Spec.Tags)}
	if attrs := specAttributes(desired); len(attrs) > 0 {
		input.Attributes = attrs
	}
	resp, err := o.sqs.CreateQueue(ctx, input)
	o.env.Record("CREATE", "CreateQueue", err)
	if err != nil {
		return nil, err
	}
	ko := desired.DeepCopy()
	ko.Status.QueueURL = resp.QueueUrl
	o.env.SetStatusDefaults(ko)
	return ko, nil
}

func (o *ops) Update(ctx context.Context, desired, latest *sqsv1.Queue, delta *ackcompare.Delta) (*sqsv1.Queue, error) {
	if delta.DifferentAt("Spec.Tags") {
		if err := o.syncTags(ctx, desired, latest); err != nil {
			return nil, err
		}
	}
	if !delta.DifferentExcept("Spec.Tags") {
		return desired, nil
	}
	attrs := specAttributes(desired)
	if len(attrs) == 0 {
		return desired.DeepCopy(), nil
	}
	_, err := o.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: desired.Status.QueueURL, Attributes: attrs})
	o.env.Record("SET_ATTRIBUTES", "SetQueueAttributes", err)
	if err != nil {
		if notFound(err) {
			return nil, ackerr.NotFound
		}
		return nil, err
	}
	ko := desired.DeepCopy()
	o.env.SetStatusDefaults(ko)
	return ko, nil
}

func (o *ops) syncTags(ctx context.Context, desired, latest *sqsv1.Queue) error {
	set, remove := ackkind.TagsDelta(ackkind.StringMap(desired.Spec.Tags), ackkind.StringMap(latest.Spec.Tags))
	if len(set) > 0 {
		_, err := o.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: desired.Status.QueueURL, Tags: set})
		o.env.Record("UPDATE", "TagQueue", err)
		if err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		_, err := o.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: desired.Status.QueueURL, TagKeys: remove})
		o.env.Record("UPDATE", "UntagQueue", err)
		return err
	}
	return nil
}

func (o *ops) Delete(ctx context.Context, r *sqsv1.Queue) (*sqsv1.Queue, error) {
	_, err := o.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: r.Status.QueueURL})
	o.env.Record("DELETE", "DeleteQueue", err)
	return nil, err
}
