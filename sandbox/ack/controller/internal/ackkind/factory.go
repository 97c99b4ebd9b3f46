// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"sync"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackcfg "github.com/aws-controllers-k8s/runtime/pkg/config"
	ackmetrics "github.com/aws-controllers-k8s/runtime/pkg/metrics"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"
)

// Factory is the kind's acktypes.AWSResourceManagerFactory: one Manager per (account, region,
// role), created on first use and kept, as the generated manager_factory.go does.
type Factory[T Object] struct {
	kind     *Kind[T]
	mu       sync.Mutex
	managers map[string]*Manager[T]
}

// NewFactory is what a service registers for each of its kinds.
func NewFactory[T Object](kind *Kind[T]) *Factory[T] {
	return &Factory[T]{kind: kind, managers: map[string]*Manager[T]{}}
}

func (f *Factory[T]) ResourceDescriptor() acktypes.AWSResourceDescriptor {
	return &Descriptor[T]{kind: f.kind}
}

func (f *Factory[T]) ManagerFor(
	cfg ackcfg.Config, clientcfg aws.Config, log logr.Logger, metrics *ackmetrics.Metrics,
	rr acktypes.Reconciler, account ackv1alpha1.AWSAccountID, region ackv1alpha1.AWSRegion,
	roleARN ackv1alpha1.AWSResourceName,
) (acktypes.AWSResourceManager, error) {
	key := string(account) + "/" + string(region) + "/" + string(roleARN)
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.managers[key]; ok {
		return m, nil
	}
	env := &Env{Cfg: cfg, AWS: clientcfg, Log: log, Metrics: metrics, Reconcile: rr,
		Account: string(account), Region: string(region), Partition: cfg.Partition}
	m := &Manager[T]{kind: f.kind, env: env, ops: f.kind.NewOps(env)}
	f.managers[key] = m
	return m, nil
}

func (f *Factory[T]) IsAdoptable() bool            { return true }
func (f *Factory[T]) RequeueOnSuccessSeconds() int { return 0 }
