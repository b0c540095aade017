"""REST API of this app; ``register`` adds its viewsets to the project's router."""


def register(router):
    pass
