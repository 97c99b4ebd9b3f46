// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package ackkind is what ACK's code generator writes for every kind (resource, descriptor,
// manager, manager factory, conditions, tags, late initialization), written once as generics.
// A kind provides a Kind value: its facts and its AWS calls (Ops); the reconcile loop itself is
// the real one of github.com/aws-controllers-k8s/runtime.
package ackkind

import (
	"context"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackcfg "github.com/aws-controllers-k8s/runtime/pkg/config"
	ackmetrics "github.com/aws-controllers-k8s/runtime/pkg/metrics"
	acktags "github.com/aws-controllers-k8s/runtime/pkg/tags"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"
)

// Object is a custom resource type of ours (a pointer, e.g. *sqsv1.Queue). Its struct has the
// fields Spec and Status, and Status has ACKResourceMetadata and Conditions, as ACK's types do.
type Object interface {
	rtclient.Object
}

// Env is what a kind's AWS calls get: one per (account, region, role), like ACK's resourceManager.
type Env struct {
	Cfg       ackcfg.Config
	AWS       aws.Config
	Log       logr.Logger
	Metrics   *ackmetrics.Metrics
	Reconcile acktypes.Reconciler
	Account   string
	Region    string
	Partition string
}

// Ops are a kind's AWS calls, the part of ACK's generated sdk.go and hooks.go that differs per
// kind. Find returns ackerr.NotFound when the AWS resource does not exist. The objects passed in
// may be changed only where ACK changes them too (tags mirrored, references resolved); results
// are new objects.
type Ops[T Object] interface {
	Find(ctx context.Context, desired T) (T, error)
	Create(ctx context.Context, desired T) (T, error)
	Update(ctx context.Context, desired, latest T, delta *ackcompare.Delta) (T, error)
	Delete(ctx context.Context, current T) (T, error)
}

// TagField reads and writes a kind's tags (a map or a list of key/value pairs) as acktags.Tags.
type TagField[T Object] struct {
	Get func(T) acktags.Tags
	Set func(T, acktags.Tags)
}

// LateInit copies the fields AWS defaulted from observed into latest (generator.yaml
// late_initialize) and tells whether some field is still missing (ACK then requeues in 5 s).
type LateInit[T Object] struct {
	Fill       func(observed, latest T)
	Incomplete func(T) bool
}

// References resolves a kind's *Ref fields in place (ACK's references.go).
type References[T Object] interface {
	Resolve(ctx context.Context, env *Env, reader rtclient.Reader, ko T) (hasReferences bool, err error)
	Clear(ko T)
}

// Kind is everything the generic plumbing needs to know about one kind.
type Kind[T Object] struct {
	GVK    schema.GroupVersionKind
	New    func() T
	NewOps func(env *Env) Ops[T]
	// Delta compares desired (a) with latest (b), both copies it may change.
	Delta func(a, b T) *ackcompare.Delta
	// TerminalCodes are the AWS error codes of generator.yaml terminal_codes.
	TerminalCodes []string
	// PrimaryKey is the adoption field name (services.k8s.aws/adoption-fields) and SetPrimaryKey
	// stores its value, as the generated PopulateResourceFromAnnotation does.
	PrimaryKey    string
	SetPrimaryKey func(T, string)
	Synced        func(T) bool // nil: always synced
	Tags          *TagField[T]
	LateInit      *LateInit[T]
	References    References[T]
}
