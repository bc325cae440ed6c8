"""Command-line surfaces of the feature areas; each module has ``register(app)``. Import heavy code lazily."""
