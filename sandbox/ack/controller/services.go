// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package main

import (
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	"k8s.io/apimachinery/pkg/runtime"

	ddbv1 "ackops.local/sandbox/ack-controller/apis/dynamodb/v1alpha1"
	lambdav1 "ackops.local/sandbox/ack-controller/apis/lambda/v1alpha1"
	sqsv1 "ackops.local/sandbox/ack-controller/apis/sqs/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
	"ackops.local/sandbox/ack-controller/internal/esm"
	"ackops.local/sandbox/ack-controller/internal/function"
	"ackops.local/sandbox/ack-controller/internal/queue"
	"ackops.local/sandbox/ack-controller/internal/table"
)

// service is one ACK service controller this binary can be: the chart version it stands in for
// (its controller version in resource tags and user agents), its API types and its kinds.
type service struct {
	version     string
	addToScheme func(*runtime.Scheme) error
	factories   func() []acktypes.AWSResourceManagerFactory
}

var services = map[string]service{
	"sqs": {version: "v1.6.1", addToScheme: sqsv1.AddToScheme, factories: func() []acktypes.AWSResourceManagerFactory {
		return []acktypes.AWSResourceManagerFactory{ackkind.NewFactory(queue.Kind)}
	}},
	"dynamodb": {version: "v1.9.2", addToScheme: ddbv1.AddToScheme, factories: func() []acktypes.AWSResourceManagerFactory {
		return []acktypes.AWSResourceManagerFactory{ackkind.NewFactory(table.Kind)}
	}},
	"lambda": {version: "v1.14.1", addToScheme: lambdav1.AddToScheme, factories: func() []acktypes.AWSResourceManagerFactory {
		return []acktypes.AWSResourceManagerFactory{ackkind.NewFactory(function.Kind), ackkind.NewFactory(esm.Kind)}
	}},
}
