"""Reads whose SQL is built once per process: for the reads every request makes (its
session, its user), where building and compiling the ORM query cost about as much as
running it."""

from django.db import connections


class CompiledRead:
    """The first row of ``build(**markers)``, a queryset built and compiled by the ORM
    once per database, then run with each marker replaced by the value ``first`` is
    given for it, prepared as the ORM prepares that field's values (a date and time is
    a string on SQLite, a ``datetime`` on PostgreSQL). ``markers``: name → (the model
    field it filters, a value no row has)."""

    def __init__(self, build, **markers):
        self._build, self._markers = build, markers
        self._compiled = {}

    def first(self, *, using="default", **values):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(connections[using])
        model, sql, params, places = compiled
        params = list(params)
        connection = connections[using]
        for name, value in values.items():
            field = self._markers[name][0]
            params[places[name]] = field.get_db_prep_value(value, connection)
        return next(iter(model._default_manager.using(using).raw(sql, params)), None)

    def _compile(self, connection):
        queryset = self._build(**{name: marker for name, (_, marker) in self._markers.items()})
        sql, params = queryset.query.sql_with_params()
        params = list(params)
        places = {}
        for name, (field, marker) in self._markers.items():
            prepared = field.get_db_prep_value(marker, connection)
            if params.count(prepared) != 1:
                raise RuntimeError(f"{name}: its marker is not one value of {sql}")
            places[name] = params.index(prepared)
        return queryset.model, sql, tuple(params), places
