"""The ORM layer: models, columns, query sets, relations and deletion strategies.

It sits on the SQL layer (``kakaorm.expr``, ``kakaorm.statements``) and the engine,
and nothing below it imports it. Inside the layer the modules import one another
in one direction only, bottom to top::

    state, validation, deletion           instance bookkeeping, validators, DeleteStrategy
    options                               Model._meta (ModelOptions), models by name
    columns -> column_types               Column, ForeignKey, coercion; IntColumn ...
    table, hydrate, persist               a model's TableSchema; rows into instances;
                                          instances into INSERT batches
    relations, cte                        BelongsTo/HasMany/HasOne, kakaorm.CTE
    many_to_many_through, many_to_many    the link table's model; ManyToMany and its manager
    query_clauses, query_build,           a QuerySet's clause records, its SELECT,
    query_write, query_aggregate          update/insert_into, count/exists/aggregates
    locking                               select_for_update's checks
    stream                                QuerySet.iterator() (chunks streamed and hydrated)
    query_chain -> queryset               QuerySet: its chainable clauses, then what runs it
    upsert                                Model.upsert, bulk_create(on_conflict=...)
    query_inspect                         sql() and explain() (a base class of QuerySet)
    crud, dump, pydantic_bridge           get_or_create & co., model_dump, pydantic hook
    pydantic_api                          Model's pydantic-compatible methods (a base class)
    model_meta -> model                   ModelMeta, Model
    typed_model                           TypedModel (constructor typed for checkers, PEP 681)
    soft_delete, archive                  SoftDeleteModel, ArchiveModel and their strategies

There are no deliberate lazy imports between these modules: where a lower module
needs something of a higher one at run time it receives it (a model class, a
QuerySet, ``type(query)`` for ``CTE.query()``) instead of importing it. The pydantic
integration (``kakaorm._pydantic``) sits above this layer and reaches models'
pydantic methods through :mod:`kakaorm.orm.pydantic_bridge`, which it fills in when
imported.
"""
