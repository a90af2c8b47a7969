"""nbgrader, trusted: layer and answer cells scored by the kit, kernels confined, outputs sanitised."""
