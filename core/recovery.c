/* recovery.c — the engine's side of the checkpoint: what state depends on
 * (the fingerprint), restoring state, source positions and the watermark
 * at start, logging each epoch's plan before any record is read, and the
 * commit that follows the sinks. The file formats live in checkpoint.c. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "state.h"

/* Option text as written (whitespace folded), or its default. */
static void option_text(query *q, node *nd, const weir_option *o,
                        weir_buf *out) {
  ini_section *sec = ini_doc_section(q->doc, nd->section);
  const char *v = o->default_value ? o->default_value : "";
  for (size_t i = 0; sec && i < sec->n; i++)
    if (strcmp(sec->entries[i].key, o->key) == 0)
      v = sec->entries[i].value;
  int space = 0;
  size_t start = out->len;
  for (; *v; v++) {
    if (isspace((unsigned char)*v)) {
      space = out->len > start;
      continue;
    }
    if (space)
      weir_buf_lit(out, " ");
    space = 0;
    weir_buf_append(out, v, 1);
  }
}

static void fp_entry(weir_buf *b, const char *key, const char *v, size_t vlen) {
  if (b->len > 1)
    weir_buf_lit(b, ",");
  weir_json_string(b, key, strlen(key));
  weir_buf_lit(b, ":");
  weir_json_string(b, v, vlen);
}

/* The fingerprint: the sources, and for every stateful operator its plugin
 * and the options its plugin marks WEIR_OPT_STATE. Section names are the
 * operator ids, so renaming one is a change too (SEMANTICS.md). */
static void fingerprint(query *q, weir_buf *b) {
  weir_buf v = WEIR_BUF_INIT;
  weir_buf_lit(b, "{");
  for (size_t i = 0; i < q->n; i++)
    if (q->nodes[i]->kind == WEIR_KIND_SOURCE) {
      if (v.len)
        weir_buf_lit(&v, ",");
      weir_buf_append(&v, q->nodes[i]->name, strlen(q->nodes[i]->name));
    }
  fp_entry(b, "sources", v.data ? (char *)v.data : "", v.len);
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    const weir_plugin *d = &nd->plugin->desc;
    if (!(d->flags & WEIR_PLUGIN_STATEFUL))
      continue;
    char key[512];
    snprintf(key, sizeof key, "[%s] plugin", nd->section);
    fp_entry(b, key, d->name, strlen(d->name));
    for (const weir_option *o = d->options; o && o->key; o++) {
      if (!(o->required & WEIR_OPT_STATE))
        continue;
      weir_buf_clear(&v);
      option_text(q, nd, o, &v);
      snprintf(key, sizeof key, "[%s] %s", nd->section, o->key);
      fp_entry(b, key, v.data ? (char *)v.data : "", v.len);
    }
  }
  weir_buf_lit(b, "}");
  weir_buf_free(&v);
}

typedef struct restore_ctx {
  node *nd;
  char *err;
  size_t errlen;
} restore_ctx;

weir_state *host_state_open(weir_ctx *ctx, const char *name, uint32_t version);

static int restore_one(void *u, const char *store_name_, const char *plugin,
                       uint32_t version, int64_t epoch, const uint8_t *data,
                       size_t len) {
  restore_ctx *r = u;
  node *nd = r->nd;
  (void)epoch;
  if (strcmp(plugin, nd->plugin->desc.name) != 0) {
    snprintf(r->err, r->errlen,
             "[%s] its state was written by plugin '%s', not '%s'", nd->section,
             plugin, nd->plugin->desc.name);
    return WEIR_ERR_STATE;
  }
  store *s = NULL;
  for (size_t i = 0; i < nd->nstores; i++)
    if (strcmp(store_name(nd->stores[i]), store_name_) == 0)
      s = nd->stores[i];
  if (s && version > store_version(s)) {
    snprintf(r->err, r->errlen,
             "[%s] state '%s' has format version %u, newer than the %u this "
             "plugin (%s %s) writes: run the newer plugin",
             nd->section, *store_name_ ? store_name_ : "default", version,
             store_version(s), plugin,
             nd->plugin->desc.version ? nd->plugin->desc.version : "");
    return WEIR_ERR_STATE;
  }
  if (!s) {
    /* Not opened in create(): open it now so the plugin finds it later. */
    if (!host_state_open(&nd->ctx, store_name_, version))
      return WEIR_ERR_NOMEM;
    s = nd->stores[nd->nstores - 1];
  }
  store_set_restored_version(s, version);
  store_set_has_base(s);
  int rc = store_apply(s, data, len);
  if (rc != WEIR_OK)
    snprintf(r->err, r->errlen, "[%s] state '%s': malformed entries",
             nd->section, store_name_);
  return rc;
}

static node *source_named(query *q, const char *name) {
  for (size_t i = 0; i < q->n; i++)
    if (q->nodes[i]->kind == WEIR_KIND_SOURCE &&
        strcmp(q->nodes[i]->name, name) == 0)
      return q->nodes[i];
  return NULL;
}

int recovery_open(query *q, char *err, size_t errlen) {
  char tmp[] = "/tmp/weir-checkpoint-XXXXXX";
  const char *dir = q->cfg.checkpoint;
  if (!dir) {
    if (!mkdtemp(tmp)) {
      snprintf(err, errlen, "cannot create a temporary checkpoint in /tmp");
      return WEIR_ERR_IO;
    }
    dir = tmp;
  }
  int rc = ckpt_open(dir, q->cfg.checkpoint == NULL, &q->ckpt, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  weir_buf fp = WEIR_BUF_INIT;
  fingerprint(q, &fp);
  weir_buf_append(&fp, "", 1); /* NUL */
  rc = fp.err ? WEIR_ERR_NOMEM
              : ckpt_metadata(q->ckpt, q->query_id, (char *)fp.data,
                              WEIR_VERSION, err, errlen);
  weir_buf_free(&fp);
  ckpt_status st;
  if (rc == WEIR_OK)
    rc = ckpt_scan(q->ckpt, &st, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  int64_t m = st.last_commit;
  if (m >= 0) {
    ckpt_plan last;
    if ((rc = ckpt_read_offsets(q->ckpt, m, &last, err, errlen)) != WEIR_OK)
      return rc;
    for (size_t i = 0; i < last.n; i++) {
      node *nd = source_named(q, last.sources[i].name);
      if (!nd)
        continue; /* the fingerprint guards the list of sources */
      weir_buf_clear(&nd->start);
      weir_buf_append(&nd->start, last.sources[i].end.data,
                      last.sources[i].end.len);
    }
    q->last_epoch_watermark = last.watermark;
    ckpt_plan_free(&last);
    if ((rc = ckpt_read_commit(q->ckpt, m, &q->watermark, err, errlen)) !=
        WEIR_OK)
      return rc;
    for (size_t i = 0; i < q->n && rc == WEIR_OK; i++) {
      restore_ctx r = {q->nodes[i], err, errlen};
      err[0] = '\0';
      rc = ckpt_read_state(q->ckpt, q->nodes[i]->name, m, restore_one, &r, err,
                           errlen);
      for (size_t k = 0; k < q->nodes[i]->nstores; k++)
        store_epoch_reset(q->nodes[i]->stores[k]);
    }
    if (rc != WEIR_OK)
      return rc;
  }
  q->epoch = m + 1;
  if (st.last_offsets == m + 1) {
    rc = ckpt_read_offsets(q->ckpt, m + 1, &q->pending, err, errlen);
    if (rc != WEIR_OK)
      return rc;
    q->has_pending = 1;
  }
  if (!q->quiet && m >= 0)
    fprintf(stderr,
            "weir: resuming from checkpoint %s at epoch %" PRId64 "%s\n",
            ckpt_dir(q->ckpt), m + 1,
            q->has_pending ? " (re-running the uncommitted epoch)" : "");
  return WEIR_OK;
}

int recovery_log_plan(query *q, int64_t timestamp, char *err, size_t errlen) {
  ckpt_plan p = {q->epoch, q->watermark, timestamp, NULL, 0};
  size_t n = 0;
  for (size_t i = 0; i < q->n; i++)
    n += q->nodes[i]->kind == WEIR_KIND_SOURCE;
  p.sources = calloc(n ? n : 1, sizeof *p.sources);
  if (!p.sources)
    return WEIR_ERR_NOMEM;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    /* Borrowed: ckpt_write_offsets only reads them. */
    p.sources[p.n].name = nd->name;
    p.sources[p.n].start = nd->start;
    p.sources[p.n].end = nd->end;
    p.n++;
  }
  int rc = ckpt_write_offsets(q->ckpt, &p, err, errlen);
  free(p.sources);
  return rc;
}

int recovery_commit(query *q, char *err, size_t errlen) {
  weir_buf b = WEIR_BUF_INIT;
  int rc = WEIR_OK;
  for (size_t i = 0; i < q->n && rc == WEIR_OK; i++) {
    node *nd = q->nodes[i];
    for (size_t k = 0; k < nd->nstores && rc == WEIR_OK; k++) {
      store *s = nd->stores[k];
      int snap =
          !store_has_base(s) || q->epoch % q->cfg.state_snapshot_interval == 0;
      weir_buf_clear(&b);
      if (snap)
        store_write_snapshot(s, &b);
      else
        store_write_delta(s, &b);
      rc = b.err ? WEIR_ERR_NOMEM
                 : ckpt_write_state(q->ckpt, nd->name, store_name(s),
                                    nd->plugin->desc.name, store_version(s),
                                    q->epoch, snap, b.data, b.len, err, errlen);
      if (rc == WEIR_OK && snap)
        store_set_has_base(s);
    }
  }
  weir_buf_free(&b);
  if (rc == WEIR_OK)
    rc = ckpt_write_commit(q->ckpt, q->epoch, q->watermark, err, errlen);
  if (rc == WEIR_OK)
    rc = ckpt_purge(q->ckpt, q->epoch - q->cfg.min_epochs_to_retain + 1, err,
                    errlen);
  return rc;
}

void recovery_close(query *q) {
  ckpt_plan_free(&q->pending);
  q->has_pending = 0;
  ckpt_close(q->ckpt);
  q->ckpt = NULL;
}
