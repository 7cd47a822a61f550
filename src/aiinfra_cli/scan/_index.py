"""One pass over a module's ``ast``: scopes, name bindings, classes, and the calls worth resolving.

Nothing is resolved here; the pass only records where names are bound (assignments, imports,
parameters, ``with … as``, loops, definitions) so the resolver can answer "what is this name at
this line" without walking the tree again.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Method names whose calls may be LLM calls; every other attribute call is skipped unresolved.
CANDIDATE_METHODS = frozenset(
    {
        "create",
        "acreate",
        "stream",
        "parse",
        "tool_runner",
        "invoke",
        "ainvoke",
        "astream",
        "batch",
        "abatch",
        "predict",
        "apredict",
        "completion",
        "acompletion",
        "text_completion",
        "atext_completion",
        "responses",
        "aresponses",
        "complete",
        "acomplete",
        "complete_async",
        "stream_async",
        "chat",
        "achat",
        "chat_stream",
        "stream_chat",
        "astream_chat",
        "stream_complete",
        "astream_complete",
        "generate",
        "generate_content",
        "generate_content_stream",
        "converse",
        "converse_stream",
        "invoke_model",
        "invoke_model_with_response_stream",
        "run",
        "run_sync",
        "run_stream",
    }
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Binding:
    """One place a name is bound. ``kind`` says how to read ``node``.

    value: ``node`` is the assigned expression; annotation: ``node`` is a type annotation
    (``value`` may hold the assigned expression too); import: ``qual`` is the dotted target;
    param: ``node`` is the ``ast.arg``, ``value`` its default; self: the method's class;
    with: ``node`` is the context expression; def / class: the definition; opaque: a loop
    target or unpacking the resolver cannot see through.
    """

    kind: str
    line: int
    node: ast.AST | None = None
    value: ast.expr | None = None
    qual: str = ""
    scope: Scope | None = None
    cls: ClassInfo | None = None


@dataclass(eq=False)
class Scope:
    """A module, class, function or lambda body and the names bound in it."""

    kind: str
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    cls: ClassInfo | None = None  # for a method's scope: the class it belongs to
    globals_: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: Binding) -> None:
        """Record ``binding`` for ``name`` (in the module scope if declared ``global``)."""
        target: Scope = self
        if name in self.globals_:
            while target.parent is not None:
                target = target.parent
        binding.scope = self
        target.bindings.setdefault(name, []).append(binding)

    @property
    def function(self) -> FunctionNode | None:
        """The function this scope is the body of, if any."""
        return self.node if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


@dataclass(eq=False)
class ClassInfo:
    """A class defined in the module: its bases and the attributes its methods assign."""

    name: str
    qual: str
    node: ast.ClassDef
    scope: Scope
    attrs: dict[str, list[Binding]] = field(default_factory=dict)
    methods: dict[str, FunctionNode] = field(default_factory=dict)


@dataclass
class Candidate:
    """A call whose callee may be an LLM API, with its scope and enclosing nodes."""

    call: ast.Call
    scope: Scope
    ancestors: tuple[ast.AST, ...]


class ModuleIndex:
    """Scopes and bindings of one module, and its candidate calls (see the module docstring)."""

    def __init__(self, tree: ast.Module, module: str, *, is_package: bool = False) -> None:
        self.tree = tree
        self.module = module
        self.is_package = is_package
        self.package = module.rpartition(".")[0]
        self.module_scope = Scope("module", tree, None)
        self.scopes: dict[ast.AST, Scope] = {tree: self.module_scope}
        self.classes: dict[ast.ClassDef, ClassInfo] = {}
        self.candidates: list[Candidate] = []
        self.name_calls: list[Candidate] = []
        self.assigned_attrs: dict[str, ast.expr] = {}
        # (where, literal) for every string literal passed as a keyword or assigned to a name,
        # attribute or subscript: what the hard-coded key rule looks at.
        self.string_literals: list[tuple[str, bool, ast.Constant]] = []
        self._stack: list[ast.AST] = []
        self._visit_body(tree.body, self.module_scope)

    # -- traversal ------------------------------------------------------------------------

    def _visit_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self._visit(stmt, scope)

    def _visit(self, node: ast.AST, scope: Scope) -> None:
        kind = type(node)
        if kind in _LEAVES:
            return
        stack = self._stack
        stack.append(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            self._children(node, scope)
        else:
            handler(self, node, scope)
        stack.pop()

    def _children(self, node: ast.AST, scope: Scope) -> None:
        # A hand-rolled ast.iter_child_nodes: this loop is the scanner's hottest code.
        visit = self._visit
        for name in _child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if type(item) not in _LEAVES and isinstance(item, ast.AST):
                        visit(item, scope)
            elif value is not None and type(value) not in _LEAVES and isinstance(value, ast.AST):
                visit(value, scope)

    def _on_call(self, node: ast.Call, scope: Scope) -> None:
        self._call(node, scope)
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg and type(value) is ast.Constant and type(value.value) is str:
                self.string_literals.append((f"{keyword.arg}=", True, value))
        self._children(node, scope)

    def _on_lambda(self, node: ast.Lambda, scope: Scope) -> None:
        inner = Scope("function", node, scope, cls=None)
        self.scopes[node] = inner
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            inner.bind(arg.arg, Binding("param", node.lineno, arg))
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self._visit(default, scope)
        self._visit(node.body, inner)

    def _on_assign(self, node: ast.Assign, scope: Scope) -> None:
        value = node.value
        if type(value) is ast.Constant and type(value.value) is str:
            for target in node.targets:
                name = _target_name(target)
                if name:
                    self.string_literals.append((name, False, value))
        self._visit(node.value, scope)
        for target in node.targets:
            self._target(target, node.value, scope, node.lineno)
            self._visit(target, scope)

    def _on_ann_assign(self, node: ast.AnnAssign, scope: Scope) -> None:
        value = node.value
        if type(value) is ast.Constant and type(value.value) is str:
            name = _target_name(node.target)
            if name:
                self.string_literals.append((name, False, value))
        if node.value is not None:
            self._visit(node.value, scope)
        if isinstance(node.target, ast.Name):
            scope.bind(
                node.target.id,
                Binding("annotation", node.lineno, node.annotation, value=node.value),
            )
        elif node.value is not None:
            self._target(node.target, node.value, scope, node.lineno, node.annotation)
        self._visit(node.target, scope)

    def _on_named_expr(self, node: ast.NamedExpr, scope: Scope) -> None:
        self._visit(node.value, scope)
        scope.bind(node.target.id, Binding("value", node.lineno, node.value))

    def _on_for(self, node: ast.For | ast.AsyncFor, scope: Scope) -> None:
        self._visit(node.iter, scope)
        self._opaque(node.target, scope, node.lineno)
        self._visit_body(node.body, scope)
        self._visit_body(node.orelse, scope)

    def _on_with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            self._visit(item.context_expr, scope)
            var = item.optional_vars
            if isinstance(var, ast.Name):
                scope.bind(var.id, Binding("with", node.lineno, item.context_expr))
            elif var is not None:
                self._opaque(var, scope, node.lineno)
        self._visit_body(node.body, scope)

    def _on_global(self, node: ast.Global, scope: Scope) -> None:
        scope.globals_.update(node.names)

    def _on_except(self, node: ast.ExceptHandler, scope: Scope) -> None:
        if node.name:
            scope.bind(node.name, Binding("opaque", node.lineno))
        self._children(node, scope)

    # -- binding forms ----------------------------------------------------------------------

    def _target(
        self,
        target: ast.expr,
        value: ast.expr,
        scope: Scope,
        line: int,
        annotation: ast.expr | None = None,
    ) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding("value", line, value))
        elif isinstance(target, ast.Attribute):
            dotted = _dotted(target)
            if dotted is not None:
                self.assigned_attrs[dotted] = value
            if isinstance(target.value, ast.Name) and scope.cls is not None:
                self._self_attr(target.value.id, target.attr, value, scope, line, annotation)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                    self._target(sub_target, sub_value, scope, line)
            else:
                self._opaque(target, scope, line)

    def _self_attr(
        self,
        owner: str,
        attr: str,
        value: ast.expr,
        scope: Scope,
        line: int,
        annotation: ast.expr | None,
    ) -> None:
        bindings = scope.bindings.get(owner)
        if not bindings or bindings[0].kind != "self" or bindings[0].cls is None:
            return
        binding = (
            Binding("annotation", line, annotation, value=value)
            if annotation is not None
            else Binding("value", line, value)
        )
        binding.scope = scope
        bindings[0].cls.attrs.setdefault(attr, []).append(binding)

    def _opaque(self, target: ast.expr, scope: Scope, line: int) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                scope.bind(node.id, Binding("opaque", line))

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.bind(alias.asname, Binding("import", node.lineno, qual=alias.name))
                else:
                    head = alias.name.split(".")[0]
                    scope.bind(head, Binding("import", node.lineno, qual=head))
            return
        base = node.module or ""
        if node.level:
            parts = self.module.split(".") if self.module else []
            # ``from . import x`` in a package's __init__ means the package itself.
            drop = node.level - 1 if self.is_package else node.level
            package = parts[: len(parts) - drop] if len(parts) >= drop else []
            base = ".".join([*package, *([base] if base else [])])
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            qual = f"{base}.{alias.name}" if base else alias.name
            scope.bind(local, Binding("import", node.lineno, qual=qual))

    def _function(self, node: FunctionNode, scope: Scope) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator, scope)
        args = node.args
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self._visit(default, scope)
        scope.bind(node.name, Binding("def", node.lineno, node))
        owner = scope.cls if scope.kind == "class" else None
        if owner is not None:
            owner.methods[node.name] = node
        inner = Scope("function", node, scope, cls=owner)
        self.scopes[node] = inner
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(
            args.defaults
        )
        is_static = any(_decorator_name(d) == "staticmethod" for d in node.decorator_list)
        for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
            if i == 0 and owner is not None and not is_static:
                inner.bind(arg.arg, Binding("self", node.lineno, arg, cls=owner))
            else:
                inner.bind(arg.arg, Binding("param", node.lineno, arg, value=default))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            inner.bind(arg.arg, Binding("param", node.lineno, arg, value=kw_default))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                inner.bind(extra.arg, Binding("opaque", node.lineno))
        self._visit_body(node.body, inner)

    def _class(self, node: ast.ClassDef, scope: Scope) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self._visit(expr, scope)
        qual = f"{self.module}.{node.name}" if self.module else node.name
        inner = Scope("class", node, scope)
        info = ClassInfo(node.name, qual, node, inner)
        inner.cls = info
        self.classes[node] = info
        self.scopes[node] = inner
        scope.bind(node.name, Binding("class", node.lineno, node, cls=info))
        self._visit_body(node.body, inner)
        # Class-body assignments and annotations are attributes too (dataclass / pydantic fields).
        for name, bindings in inner.bindings.items():
            for binding in bindings:
                if binding.kind in ("value", "annotation"):
                    info.attrs.setdefault(name, []).append(binding)

    def _call(self, node: ast.Call, scope: Scope) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in CANDIDATE_METHODS:
                self.candidates.append(Candidate(node, scope, tuple(self._stack[:-1])))
        elif isinstance(func, ast.Name):
            self.name_calls.append(Candidate(node, scope, tuple(self._stack[:-1])))


_LEAVES: frozenset[type] = frozenset(
    {
        ast.Name,
        ast.Constant,
        ast.Load,
        ast.Store,
        ast.Del,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.alias,
        *(
            cls
            for cls in vars(ast).values()
            if isinstance(cls, type)
            and issubclass(cls, (ast.operator, ast.unaryop, ast.cmpop, ast.boolop))
        ),
    }
)
# Fields that never hold a node worth visiting: names, flags, levels, and expression contexts
# and operators (leaves). Skipping them saves a getattr per field on every node.
_PLAIN_FIELDS = frozenset(
    {"ctx", "op", "attr", "id", "arg", "name", "module", "level", "kind", "conversion"}
    | {"type_comment", "simple", "is_async", "names"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        fields: tuple[str, ...] = getattr(kind, "_fields", ())
        names = _CHILD_FIELDS[kind] = tuple(f for f in fields if f not in _PLAIN_FIELDS)
    return names


_HANDLERS: dict[type, Callable[[ModuleIndex, Any, Scope], None]] = {
    ast.Call: ModuleIndex._on_call,
    ast.FunctionDef: ModuleIndex._function,
    ast.AsyncFunctionDef: ModuleIndex._function,
    ast.ClassDef: ModuleIndex._class,
    ast.Lambda: ModuleIndex._on_lambda,
    ast.Assign: ModuleIndex._on_assign,
    ast.AnnAssign: ModuleIndex._on_ann_assign,
    ast.NamedExpr: ModuleIndex._on_named_expr,
    ast.For: ModuleIndex._on_for,
    ast.AsyncFor: ModuleIndex._on_for,
    ast.With: ModuleIndex._on_with,
    ast.AsyncWith: ModuleIndex._on_with,
    ast.Import: ModuleIndex._import,
    ast.ImportFrom: ModuleIndex._import,
    ast.Global: ModuleIndex._on_global,
    ast.ExceptHandler: ModuleIndex._on_except,
}


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):  # os.environ["OPENAI_API_KEY"] = "…"
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
