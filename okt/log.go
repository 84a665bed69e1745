package okt

import (
	"context"

	"github.com/go-logr/logr"
)

func logFrom(ctx context.Context) logr.Logger { return logr.FromContextOrDiscard(ctx) }
