/* The Turtle writer's loop, compiled: ordered N-Triples lines in, Turtle blocks out.
 *
 * It does what actorgraph.rdf.turtle._turtle_blocks_py does, byte for byte (a
 * differential test holds them together): one block per subject, ";" between
 * predicates, "," between objects, rdf:type written "a", IRIs abbreviated with the project's prefixes when the
 * local part is one every Turtle parser reads the same way, xsd:integer and
 * xsd:boolean literals written bare, a triple repeated by another graph
 * written once. Each line is read in place (no Python object per term), which
 * is what makes it fast; the module is optional and actorgraph.rdf falls back to the
 * Python loop when it was not built.
 *
 * It also joins the ordered lines of the N-Triples and N-Quads exports
 * (document(), in place of a dedupe pass, a join and a replace in Python).
 *
 * blocks(lines, namespaces, indent) -> (bytes, used)
 *   lines:      list of bytes, N-Triples lines without newline, in export order,
 *               rdf:type marked ("<\0ttp:", so that it sorts first in its block);
 *               a literal holding the marked text keeps it (rdf/turtle.py removes it)
 *   namespaces: sequence of (namespace IRI bytes, prefix bytes)
 *   indent:     bytes put before every line of the output (TriG graph blocks)
 *   used:       list of the indexes of the namespaces the output uses
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct {
    const char *iri;
    Py_ssize_t iri_len;
    const char *prefix;
    Py_ssize_t prefix_len;
    int used;
} Namespace;

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buffer;

typedef struct {
    Namespace *ns;
    Py_ssize_t ns_count;
    Py_ssize_t last_hit; /* namespaces repeat from one term to the next */
} Prefixes;

static const char RDF_TYPE[] = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
static const char RDF_TYPE_MARKED[] = "<\0ttp://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
static const char XSD_INTEGER[] = "<http://www.w3.org/2001/XMLSchema#integer>";
static const char XSD_BOOLEAN[] = "<http://www.w3.org/2001/XMLSchema#boolean>";
#define LITERAL_LEN(s) ((Py_ssize_t)(sizeof(s) - 1))
#define LONG_OBJECT 60

static int
reserve(Buffer *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static int
put(Buffer *b, const char *s, Py_ssize_t n)
{
    if (reserve(b, n) < 0)
        return -1;
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

/* [A-Za-z0-9_] */
static int
is_name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* (?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)? */
static int
is_plain_local(const char *s, Py_ssize_t n)
{
    if (n == 0)
        return 1;
    if (!is_name_char((unsigned char)s[0]))
        return 0;
    for (Py_ssize_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_name_char(c) && c != '.' && c != '-')
            return 0;
    }
    if (n > 1) {
        unsigned char c = (unsigned char)s[n - 1];
        if (!is_name_char(c) && c != '-')
            return 0;
    }
    return 1;
}

/* An IRI term (with its angle brackets) as a prefixed name when it can be one. */
static int
put_iri(Buffer *b, Prefixes *px, const char *t, Py_ssize_t n)
{
    if (n >= 2 && t[0] == '<' && t[n - 1] == '>') {
        Py_ssize_t cut = n - 2; /* index of the last '/' or '#' inside the brackets */
        while (cut >= 1 && t[cut] != '/' && t[cut] != '#')
            cut--;
        if (cut >= 1) {
            const char *iri = t + 1, *local = t + cut + 1;
            Py_ssize_t iri_len = cut, local_len = n - 2 - cut;
            Namespace *hit = NULL;
            Namespace *last = &px->ns[px->last_hit];
            if (last->iri_len == iri_len && memcmp(last->iri, iri, (size_t)iri_len) == 0) {
                hit = last;
            }
            else {
                for (Py_ssize_t i = 0; i < px->ns_count; i++) {
                    Namespace *ns = &px->ns[i];
                    if (ns->iri_len == iri_len && memcmp(ns->iri, iri, (size_t)iri_len) == 0) {
                        hit = ns;
                        px->last_hit = i;
                        break;
                    }
                }
            }
            if (hit != NULL && is_plain_local(local, local_len)) {
                hit->used = 1;
                if (reserve(b, hit->prefix_len + 1 + local_len) < 0)
                    return -1;
                memcpy(b->data + b->len, hit->prefix, (size_t)hit->prefix_len);
                b->data[b->len + hit->prefix_len] = ':';
                memcpy(b->data + b->len + hit->prefix_len + 1, local, (size_t)local_len);
                b->len += hit->prefix_len + 1 + local_len;
                return 0;
            }
        }
    }
    return put(b, t, n);
}

static int
same(const char *a, Py_ssize_t an, const char *b, Py_ssize_t bn)
{
    return an == bn && memcmp(a, b, (size_t)an) == 0;
}

/* [+-]?[0-9]+ */
static int
is_integer(const char *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-'))
        i = 1;
    if (i == n)
        return 0;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* An object term as Turtle. */
static int
put_object(Buffer *b, Prefixes *px, const char *t, Py_ssize_t n)
{
    if (n == 0 || t[n - 1] != '>')
        return put(b, t, n); /* plain or language-tagged literal, blank node */
    if (same(t, n, RDF_TYPE_MARKED, LITERAL_LEN(RDF_TYPE_MARKED)))
        return put_iri(b, px, RDF_TYPE, LITERAL_LEN(RDF_TYPE)); /* rdf:type as an object */
    if (t[0] == '<')
        return put_iri(b, px, t, n);
    /* a typed literal: the datatype follows the last "^^" */
    Py_ssize_t at = n - 2;
    while (at >= 0 && !(t[at] == '^' && t[at + 1] == '^'))
        at--;
    if (at < 0)
        return put(b, t, n);
    const char *dt = t + at + 2;
    Py_ssize_t dt_len = n - at - 2;
    if (at >= 2 && t[0] == '"' && t[at - 1] == '"') {
        const char *value = t + 1;
        Py_ssize_t value_len = at - 2;
        if (same(dt, dt_len, XSD_INTEGER, LITERAL_LEN(XSD_INTEGER)) &&
            is_integer(value, value_len))
            return put(b, value, value_len);
        if (same(dt, dt_len, XSD_BOOLEAN, LITERAL_LEN(XSD_BOOLEAN)) &&
            (same(value, value_len, "true", 4) || same(value, value_len, "false", 5)))
            return put(b, value, value_len);
    }
    if (put(b, t, at + 2) < 0)
        return -1;
    return put_iri(b, px, dt, dt_len);
}

static int
put_predicate(Buffer *b, Prefixes *px, const char *pad, Py_ssize_t pad_len, const char *p,
              Py_ssize_t p_len, int then)
{
    if (then && put(b, " ;", 2) < 0)
        return -1;
    if (put(b, pad, pad_len) < 0)
        return -1;
    if (same(p, p_len, RDF_TYPE_MARKED, LITERAL_LEN(RDF_TYPE_MARKED))) {
        if (put(b, "a", 1) < 0)
            return -1;
    }
    else if (put_iri(b, px, p, p_len) < 0) {
        return -1;
    }
    return put(b, " ", 1);
}

static PyObject *
malformed(Py_ssize_t i)
{
    PyErr_Format(PyExc_ValueError, "line %zd is not an N-Triples statement", i + 1);
    return NULL;
}

static PyObject *
blocks(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *lines, *namespaces;
    const char *indent;
    Py_ssize_t indent_len;
    if (!PyArg_ParseTuple(args, "O!Oy#:blocks", &PyList_Type, &lines, &namespaces, &indent,
                          &indent_len))
        return NULL;

    PyObject *seq = PySequence_Fast(namespaces, "namespaces must be a sequence");
    if (seq == NULL)
        return NULL;
    Prefixes px = {NULL, PySequence_Fast_GET_SIZE(seq), 0};
    Buffer out = {NULL, 0, 0}, obj = {NULL, 0, 0}, pad = {NULL, 0, 0}, long_pad = {NULL, 0, 0};
    PyObject *result = NULL;
    px.ns = PyMem_Calloc((size_t)(px.ns_count ? px.ns_count : 1), sizeof(Namespace));
    if (px.ns == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < px.ns_count; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyArg_ParseTuple(item, "y#y#", &px.ns[i].iri, &px.ns[i].iri_len, &px.ns[i].prefix,
                              &px.ns[i].prefix_len))
            goto done;
    }
    if (put(&pad, "\n", 1) < 0 || put(&pad, indent, indent_len) < 0 ||
        put(&pad, "    ", 4) < 0 || put(&long_pad, " ,\n", 3) < 0 ||
        put(&long_pad, indent, indent_len) < 0 || put(&long_pad, "        ", 8) < 0)
        goto done;

    const char *subject = NULL, *predicate = NULL;
    Py_ssize_t subject_len = 0, predicate_len = 0;
    Py_ssize_t last_obj = 0, last_obj_len = 0;
    Py_ssize_t count = PyList_GET_SIZE(lines);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyBytes_Check(line)) {
            PyErr_Format(PyExc_TypeError, "line %zd is not bytes", i + 1);
            goto done;
        }
        const char *t = PyBytes_AS_STRING(line);
        Py_ssize_t n = PyBytes_GET_SIZE(line);
        const char *sp1 = memchr(t, ' ', (size_t)n);
        if (sp1 == NULL) {
            malformed(i);
            goto done;
        }
        const char *p = sp1 + 1;
        const char *sp2 = memchr(p, ' ', (size_t)(t + n - p));
        if (sp2 == NULL || t + n - (sp2 + 1) < 3 || t[n - 2] != ' ' || t[n - 1] != '.') {
            malformed(i);
            goto done;
        }
        Py_ssize_t s_len = sp1 - t, p_len = sp2 - p;
        const char *o = sp2 + 1;
        Py_ssize_t o_len = t + n - 2 - o;

        obj.len = 0;
        if (put_object(&obj, &px, o, o_len) < 0)
            goto done;

        if (subject != NULL && same(t, s_len, subject, subject_len)) {
            if (same(p, p_len, predicate, predicate_len)) {
                if (same(obj.data, obj.len, out.data + last_obj, last_obj_len))
                    continue; /* the same triple from another graph */
                if (obj.len > LONG_OBJECT) {
                    if (put(&out, long_pad.data, long_pad.len) < 0)
                        goto done;
                }
                else if (put(&out, " , ", 3) < 0) {
                    goto done;
                }
                last_obj = out.len;
                last_obj_len = obj.len;
                if (put(&out, obj.data, obj.len) < 0)
                    goto done;
                continue;
            }
            if (put_predicate(&out, &px, pad.data, pad.len, p, p_len, 1) < 0)
                goto done;
        }
        else {
            if (subject != NULL && put(&out, " .\n\n", 4) < 0)
                goto done;
            subject = t;
            subject_len = s_len;
            if (put(&out, indent, indent_len) < 0 || put_iri(&out, &px, t, s_len) < 0)
                goto done;
            if (put_predicate(&out, &px, pad.data, pad.len, p, p_len, 0) < 0)
                goto done;
        }
        predicate = p;
        predicate_len = p_len;
        last_obj = out.len;
        last_obj_len = obj.len;
        if (put(&out, obj.data, obj.len) < 0)
            goto done;
    }
    if (subject != NULL && put(&out, " .\n", 3) < 0)
        goto done;

    PyObject *used = PyList_New(0);
    if (used == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < px.ns_count; i++) {
        if (!px.ns[i].used)
            continue;
        PyObject *index = PyLong_FromSsize_t(i);
        if (index == NULL || PyList_Append(used, index) < 0) {
            Py_XDECREF(index);
            Py_DECREF(used);
            goto done;
        }
        Py_DECREF(index);
    }
    PyObject *body = PyBytes_FromStringAndSize(out.data ? out.data : "", out.len);
    if (body == NULL) {
        Py_DECREF(used);
        goto done;
    }
    result = Py_BuildValue("(NN)", body, used);

done:
    PyMem_Free(out.data);
    PyMem_Free(obj.data);
    PyMem_Free(pad.data);
    PyMem_Free(long_pad.data);
    PyMem_Free(px.ns);
    Py_DECREF(seq);
    return result;
}

/* document(lines, unique, graph=None) -> bytes
 *
 * Ordered N-Triples lines as a document, one per line: a line equal to the one
 * before is skipped when `unique`, the rdf:type mark ("<\0ttp:") is undone,
 * and with `graph` (an IRI term) each statement becomes an N-Quads one. */
static PyObject *
document(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *lines;
    int unique;
    const char *graph = NULL;
    Py_ssize_t graph_len = 0;
    if (!PyArg_ParseTuple(args, "O!p|z#:document", &PyList_Type, &lines, &unique, &graph,
                          &graph_len))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(lines), total = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyBytes_Check(line)) {
            PyErr_Format(PyExc_TypeError, "line %zd is not bytes", i + 1);
            return NULL;
        }
        Py_ssize_t n = PyBytes_GET_SIZE(line);
        if (graph != NULL) {
            const char *t = PyBytes_AS_STRING(line);
            if (n < 2 || t[n - 2] != ' ' || t[n - 1] != '.')
                return malformed(i);
            n += graph_len + 1;
        }
        if (n > PY_SSIZE_T_MAX - 1 - total)
            return PyErr_NoMemory();
        total += n + 1;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, total);
    if (out == NULL)
        return NULL;
    char *start = PyBytes_AS_STRING(out), *w = start;
    const char *prev = NULL;
    Py_ssize_t prev_len = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        const char *t = PyBytes_AS_STRING(line);
        Py_ssize_t n = PyBytes_GET_SIZE(line);
        if (unique && prev != NULL && same(t, n, prev, prev_len))
            continue;
        prev = t;
        prev_len = n;
        char *begin = w;
        if (graph != NULL) {
            memcpy(w, t, (size_t)(n - 1)); /* up to the space before the final '.' */
            w += n - 1;
            memcpy(w, graph, (size_t)graph_len);
            w += graph_len;
            memcpy(w, " .", 2);
            w += 2;
        }
        else {
            memcpy(w, t, (size_t)n);
            w += n;
        }
        *w++ = '\n';
        /* undo the mark: "<\0ttp:" back to "<http:" */
        for (char *z = memchr(begin, '\0', (size_t)(w - begin)); z != NULL;
             z = memchr(z + 1, '\0', (size_t)(w - z - 1))) {
            if (z > begin && z[-1] == '<' && w - z > 4 && memcmp(z + 1, "ttp:", 4) == 0)
                *z = 'h';
        }
    }
    if (_PyBytes_Resize(&out, w - start) < 0)
        return NULL;
    return out;
}

static PyMethodDef methods[] = {
    {"blocks", blocks, METH_VARARGS,
     "blocks(lines, namespaces, indent) -> (bytes, used): ordered N-Triples lines as "
     "Turtle subject blocks, and the indexes of the namespaces used."},
    {"document", document, METH_VARARGS,
     "document(lines, unique, graph=None) -> bytes: ordered N-Triples lines as an "
     "N-Triples (or, with graph, N-Quads) document."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "actorgraph._turtle",
    "The Turtle writer's loop, compiled (see actorgraph.rdf).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__turtle(void)
{
    return PyModule_Create(&module);
}
