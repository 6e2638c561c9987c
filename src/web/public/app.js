// The Settings → API and sign-in pages. They use the same JSON API as any client: the session
// cookie plus X-CSRF-Token on writes. No inline scripts, so a strict CSP holds.

const $ = (sel) => document.querySelector(sel);

/** Calls the API; resolves to the parsed body, or throws an Error whose message is for people. */
async function api(method, path, body, csrfToken) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = new Error(humanise(data, res.status));
    error.status = res.status;
    throw error;
  }
  return data;
}

const FIELD_LABELS = {
  email: 'Email',
  password: 'Password',
  displayName: 'Display name',
  name: 'Name',
  scopes: 'Scopes',
  expiresAt: 'Expiry',
  url: 'Endpoint URL',
  events: 'Events',
  description: 'Description',
};

/** Turns a problem+json answer into a sentence, e.g. "Choose at least one scope." */
function humanise(problem, status) {
  const sentence = (s) =>
    s ? s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : '';
  if (Array.isArray(problem.errors) && problem.errors.length) {
    return problem.errors
      .map((e) =>
        e.field === 'scopes' || e.field === 'body'
          ? sentence(e.message)
          : `${FIELD_LABELS[e.field] ?? FIELD_LABELS[e.field.replace(/\[\d+\]$/, '')] ?? e.field}: ${e.message}.`,
      )
      .join(' ');
  }
  if (problem.code === 'invalid_credentials') return 'The email or password is wrong.';
  if (problem.code === 'rate_limited') return 'Too many attempts. Wait a little and try again.';
  if (problem.code === 'conflict') return sentence(problem.detail) || 'That already exists.';
  return sentence(problem.detail) || `Something went wrong (HTTP ${status}).`;
}

function showStatus(el, message, ok = false) {
  el.textContent = message;
  el.classList.toggle('ok', ok);
  el.hidden = !message;
}

const formJson = (form) => Object.fromEntries(new FormData(form).entries());

// ---------- sign-in page ----------
async function loginPage() {
  // The forms are handled before anything is awaited: a click that came before the session check
  // answered would otherwise submit the form natively, credentials and all.
  const status = $('#login-status');
  for (const [formId, path] of [
    ['#login-form', '/api/auth/login'],
    ['#signup-form', '/api/auth/signup'],
  ]) {
    $(formId).addEventListener('submit', async (event) => {
      event.preventDefault();
      showStatus(status, '');
      try {
        await api('POST', path, formJson(event.target));
        location.assign('/settings/api');
      } catch (error) {
        showStatus(status, error.message);
        status.focus?.();
      }
    });
  }
  try {
    await api('GET', '/api/auth/session');
    location.replace('/settings/api');
  } catch {
    /* not signed in: stay */
  }
}

// ---------- Settings → API ----------
const dateText = (iso) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

async function settingsPage() {
  let session;
  try {
    session = await api('GET', '/api/auth/session');
  } catch {
    location.replace('/login');
    return;
  }
  const status = $('#status');
  $('#whoami').textContent = session.user.email;
  $('#signout').addEventListener('click', async () => {
    await api('POST', '/api/auth/logout', undefined, session.csrfToken).catch(() => {});
    location.assign('/login');
  });

  const catalog = await api('GET', '/api/programmatic/catalog');
  renderScopePicker(catalog);
  await refreshTokens();
  await webhooksSection(session, status, catalog);

  $('#token-expiry').addEventListener('change', (event) => {
    const custom = event.target.value === 'custom';
    $('#custom-expiry-row').hidden = !custom;
    if (custom) $('#token-expiry-date').focus();
  });

  $('#copy-token').addEventListener('click', async () => {
    const input = $('#new-token-value');
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      $('#copy-status').textContent = 'Copied to the clipboard.';
    } catch {
      $('#copy-status').textContent = 'Select the value and copy it with your keyboard.';
    }
  });

  $('#create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showStatus(status, '');
    const form = event.target;
    const scopes = [...form.querySelectorAll('input[name="scope"]:checked')].map((i) => i.value);
    const body = { name: form.name.value, scopes };
    const expiry = form.expiry.value;
    if (expiry === 'custom') {
      if (!form.expiryDate.value) {
        showStatus(status, 'Choose an expiry date, or pick another expiry.');
        return;
      }
      body.expiresAt = new Date(`${form.expiryDate.value}T23:59:59`).toISOString();
    } else if (expiry !== 'none') {
      body.expiresAt = new Date(Date.now() + Number(expiry) * 86_400_000).toISOString();
    }
    const allowedIps = listField(form.allowedIps.value);
    if (allowedIps.length) body.allowedIps = allowedIps;
    const posts = listField(form.posts.value);
    if (posts.length) body.resources = { posts };
    try {
      const created = await api('POST', '/api/tokens', body, session.csrfToken);
      $('#new-token-value').value = created.token;
      $('#copy-status').textContent = '';
      $('#new-token').hidden = false;
      $('#new-token-value').focus();
      form.reset();
      $('#custom-expiry-row').hidden = true;
      showStatus(status, `Token “${created.name}” created.`, true);
      await refreshTokens();
    } catch (error) {
      showStatus(status, error.message);
    }
  });

  async function refreshTokens() {
    const { items } = await api('GET', '/api/tokens');
    const tbody = $('#tokens-body');
    tbody.replaceChildren();
    $('#tokens-empty').hidden = items.length > 0;
    $('#tokens-table').hidden = items.length === 0;
    for (const token of nestChildren(items)) {
      const row = document.createElement('tr');
      row.dataset.tokenId = token.id;
      const parent = token.parentId && items.find((p) => p.id === token.parentId);
      if (parent) row.className = 'child-token';
      const cells = [
        [
          'Name',
          parent
            ? `↳ ${token.name} (${token.prefix}…), child of ${parent.name}`
            : `${token.name} (${token.prefix}…)`,
        ],
        ['Scopes', token.scopes.join(', ')],
        ['Created', dateText(token.createdAt)],
        ['Expires', token.expiresAt ? dateText(token.expiresAt) : 'Never'],
        ['Last used', token.lastUsedAt ? dateText(token.lastUsedAt) : 'Never'],
        ['Last used IP', token.lastUsedIp ?? '—'],
        ['Constraints', constraintsText(token)],
      ];
      for (const [label, text] of cells) {
        const td = document.createElement('td');
        td.dataset.label = label;
        td.textContent = text;
        row.append(td);
      }
      const actions = document.createElement('td');
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'danger';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', `Delete token ${token.name}`);
      del.addEventListener('click', async () => {
        if (!confirm(`Delete the token “${token.name}”? Scripts using it stop working at once.`))
          return;
        try {
          await api('DELETE', `/api/tokens/${token.id}`, undefined, session.csrfToken);
          showStatus(status, `Token “${token.name}” deleted.`, true);
          await refreshTokens();
        } catch (error) {
          showStatus(status, error.message);
        }
      });
      actions.append(
        del,
        ...agentAccessControls(token, session, status, refreshTokens),
        ...(parent ? [] : constraintControls(token, session, status, refreshTokens)),
      );
      row.firstElementChild.append(...agentAccessNotes(token, session, status, refreshTokens));
      row.append(actions);
      tbody.append(row);
    }
  }
}

// ── Token constraints and child tokens (issue 21) ──

/** A comma- (or space-) separated text field as a list of non-empty entries. */
function listField(text) {
  return text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Each child right after its parent; a child whose parent is not listed stays where it is. */
function nestChildren(items) {
  const ids = new Set(items.map((t) => t.id));
  const roots = items.filter((t) => !t.parentId || !ids.has(t.parentId));
  return roots.flatMap((root) => [root, ...items.filter((c) => c.parentId === root.id)]);
}

/** "IPs: 203.0.113.0/24; posts: 2", or "None". */
function constraintsText(token) {
  const parts = [];
  if (token.allowedIps) parts.push(`IPs: ${token.allowedIps.join(', ')}`);
  if (token.resources) parts.push(`posts: ${token.resources.posts.length} pinned`);
  return parts.length ? parts.join('; ') : 'None';
}

/**
 * "Edit constraints": asks for the allowlist and the pinned posts (empty clears each) and sends
 * them with PATCH. Its child tokens are revoked by the server, as they were minted from the old
 * grant.
 */
function constraintControls(token, session, status, refresh) {
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.className = 'secondary';
  edit.textContent = 'Edit constraints';
  edit.setAttribute('aria-label', `Edit constraints of token ${token.name}`);
  edit.addEventListener('click', async () => {
    const ips = prompt(
      'Allowed IP addresses or CIDR ranges, separated by commas (empty: any address):',
      (token.allowedIps ?? []).join(', '),
    );
    if (ips === null) return;
    const posts = prompt(
      'Pinned post ids, separated by commas (empty: all your posts):',
      (token.resources?.posts ?? []).join(', '),
    );
    if (posts === null) return;
    const allowedIps = listField(ips);
    const pinned = listField(posts);
    try {
      await api(
        'PATCH',
        `/api/tokens/${token.id}`,
        {
          allowedIps: allowedIps.length ? allowedIps : null,
          resources: pinned.length ? { posts: pinned } : null,
        },
        session.csrfToken,
      );
      showStatus(status, `Constraints of “${token.name}” saved.`, true);
      await refresh();
    } catch (error) {
      showStatus(status, error.message);
    }
  });
  return [edit];
}

// ── Agent access: rotation and least-privilege hints (issue 16), kept apart from the table ──

const DAY_MS = 86_400_000;

/** The Rotate button: a new value for the same grant; the old one works for an hour. */
function agentAccessControls(token, session, status, refresh) {
  const rotate = document.createElement('button');
  rotate.type = 'button';
  rotate.className = 'secondary';
  rotate.textContent = 'Rotate';
  rotate.setAttribute('aria-label', `Rotate token ${token.name}`);
  rotate.addEventListener('click', async () => {
    if (
      !confirm(
        `Rotate “${token.name}”? You get a new value; the old one keeps working for one hour, then stops.`,
      )
    )
      return;
    try {
      const rotated = await api(
        'POST',
        `/api/tokens/${token.id}/rotate`,
        { graceSeconds: 3600 },
        session.csrfToken,
      );
      $('#new-token-value').value = rotated.token;
      $('#copy-status').textContent = '';
      $('#new-token').hidden = false;
      $('#new-token-value').focus();
      showStatus(status, `Token “${rotated.name}” rotated.`, true);
      await refresh();
    } catch (error) {
      showStatus(status, error.message);
    }
  });
  return [rotate];
}

/**
 * Under the token's name: "rotated, old value valid until …" while the old value still works,
 * and the scopes it has not used in 30 days, with a button that narrows the token to the rest.
 */
function agentAccessNotes(token, session, status, refresh) {
  const notes = [];
  if (token.previousValueValidUntil) {
    const note = document.createElement('p');
    note.className = 'hint rotation-note';
    note.textContent = `Rotated; old value valid until ${dateText(token.previousValueValidUntil)}.`;
    notes.push(note);
  }
  const unused = token.scopes.filter((s) => !token.scopesUsedLast30Days.includes(s));
  const observedLongEnough =
    token.lastUsedAt !== null || Date.now() - new Date(token.createdAt).getTime() >= 30 * DAY_MS;
  if (unused.length > 0 && observedLongEnough) {
    const hint = document.createElement('p');
    hint.className = 'hint unused-scopes';
    const keep = token.scopes.filter((s) => !unused.includes(s));
    if (keep.length === 0) {
      hint.textContent = 'Not used in the last 30 days; consider deleting it.';
    } else {
      hint.textContent = `Not used in the last 30 days: ${unused.join(', ')}. `;
      const narrow = document.createElement('button');
      narrow.type = 'button';
      narrow.className = 'secondary';
      narrow.textContent = 'Remove unused scopes';
      narrow.setAttribute('aria-label', `Remove unused scopes from ${token.name}`);
      narrow.addEventListener('click', async () => {
        try {
          await api('PATCH', `/api/tokens/${token.id}`, { scopes: keep }, session.csrfToken);
          showStatus(status, `Token “${token.name}” now holds ${keep.join(', ')}.`, true);
          await refresh();
        } catch (error) {
          showStatus(status, error.message);
        }
      });
      hint.append(narrow);
    }
    notes.push(hint);
  }
  return notes;
}

/** The scope picker is generated from the scope registry, as published in the catalog. */
function renderScopePicker(catalog) {
  const container = $('#scope-groups');
  for (const group of catalog.scopeGroups) {
    const section = document.createElement('div');
    section.className = 'scope-group';
    const heading = document.createElement('h3');
    heading.textContent = group.name;
    section.append(heading);
    for (const name of group.scopes) {
      const scope = catalog.scopes.find((s) => s.name === name);
      const id = `scope-${name.replace(':', '-')}`;
      const row = document.createElement('div');
      row.className = 'scope';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'scope';
      box.value = name;
      box.id = id;
      const label = document.createElement('label');
      label.htmlFor = id;
      const code = document.createElement('code');
      code.textContent = name;
      label.append(code, ` — ${scope?.description ?? ''}`);
      row.append(box, label);
      section.append(row);
    }
    container.append(section);
  }
}

// ---------- Settings → API: webhook endpoints ----------
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};

const button = (text, label, onClick, className = 'secondary') => {
  const b = el('button', { type: 'button', className, textContent: text });
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
};

/** Event types come from the catalog's webhookEvents; webhook.test is sent on request only. */
async function webhooksSection(session, status, catalog) {
  const events = catalog.webhookEvents.filter((e) => e.type !== 'webhook.test');
  const choices = $('#event-choices');
  for (const event of events) {
    const id = `event-${event.type.replace(/\./g, '-')}`;
    const box = el('input', { type: 'checkbox', name: 'event', value: event.type, id });
    const label = el('label', { htmlFor: id }, el('code', { textContent: event.type }));
    label.append(` — ${event.summary}`);
    choices.append(el('div', { className: 'scope' }, box, label));
  }

  const write = (method, path, body) => api(method, path, body, session.csrfToken);
  const revealSecret = (secret, endpoint, rotated) => {
    $('#new-secret-value').value = secret;
    $('#copy-secret-status').textContent = '';
    $('#new-secret-for').textContent = rotated
      ? `New secret for ${endpoint.url}. The previous one keeps signing too for 24 hours.`
      : `For ${endpoint.url}.`;
    $('#new-secret').hidden = false;
    $('#new-secret-value').focus();
  };

  $('#copy-secret').addEventListener('click', async () => {
    const input = $('#new-secret-value');
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      $('#copy-secret-status').textContent = 'Copied to the clipboard.';
    } catch {
      $('#copy-secret-status').textContent = 'Select the value and copy it with your keyboard.';
    }
  });

  $('#endpoint-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showStatus(status, '');
    const form = event.target;
    const chosen = [...form.querySelectorAll('input[name="event"]:checked')].map((i) => i.value);
    if (!chosen.length) {
      showStatus(status, 'Choose at least one event.');
      return;
    }
    const body = { url: form.url.value, events: chosen };
    if (form.description.value.trim()) body.description = form.description.value;
    try {
      const created = await write('POST', '/api/webhooks/endpoints', body);
      form.reset();
      showStatus(status, `Endpoint ${created.url} added.`, true);
      await refreshEndpoints();
      revealSecret(created.secret, created, false);
    } catch (error) {
      showStatus(status, error.message);
    }
  });

  /** Runs an endpoint action, then shows its outcome and the refreshed list. */
  const act = async (work, done) => {
    showStatus(status, '');
    try {
      const result = await work();
      showStatus(status, done(result), true);
      await refreshEndpoints();
      return result;
    } catch (error) {
      showStatus(status, error.message);
      return undefined;
    }
  };

  async function refreshEndpoints() {
    const list = $('#endpoints-list');
    // Busy while the list is being replaced: assistive tech (and tests) wait for the new one.
    list.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api('GET', '/api/webhooks/endpoints');
      list.replaceChildren();
      $('#endpoints-empty').hidden = items.length > 0;
      for (const endpoint of items) list.append(endpointItem(endpoint));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function endpointItem(endpoint) {
    const path = `/api/webhooks/endpoints/${endpoint.id}`;
    const item = el('li', { className: 'endpoint', dataset: { endpointId: endpoint.id } });
    item.append(el('h3', { textContent: endpoint.url }));
    if (endpoint.description) item.append(el('p', { textContent: endpoint.description }));
    const facts = el('dl');
    const fact = (term, text, className) =>
      facts.append(el('dt', { textContent: term }), el('dd', { textContent: text, className }));
    fact(
      'Status',
      endpoint.enabled
        ? 'Enabled'
        : `Disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`,
      endpoint.enabled ? '' : 'state-disabled',
    );
    fact('Events', endpoint.events.join(', '));
    fact('Last success', endpoint.lastSuccessAt ? dateText(endpoint.lastSuccessAt) : 'Never');
    fact(
      'Last error',
      endpoint.lastError ? `${endpoint.lastError} (${dateText(endpoint.lastErrorAt)})` : 'None',
    );
    item.append(facts);

    const logId = `log-${endpoint.id}`;
    const log = el('div', { id: logId, className: 'delivery-log', hidden: true });
    const logButton = button('Delivery log', `Delivery log of ${endpoint.url}`, async () => {
      const open = logButton.getAttribute('aria-expanded') === 'true';
      if (open) {
        log.hidden = true;
        logButton.setAttribute('aria-expanded', 'false');
        return;
      }
      await renderLog(endpoint, log);
      log.hidden = false;
      logButton.setAttribute('aria-expanded', 'true');
    });
    logButton.setAttribute('aria-expanded', 'false');
    logButton.setAttribute('aria-controls', logId);

    const actions = el(
      'div',
      { className: 'actions' },
      button(
        endpoint.enabled ? 'Disable' : 'Enable',
        `${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`,
        () =>
          act(
            () => write('PATCH', path, { enabled: !endpoint.enabled }),
            (e) => `${e.url} ${e.enabled ? 'enabled' : 'disabled'}.`,
          ),
      ),
      button('Send test', `Send a test event to ${endpoint.url}`, () =>
        act(
          () => write('POST', `${path}/test`),
          () => `Test event sent to ${endpoint.url}; see its delivery log.`,
        ),
      ),
      button('Rotate secret', `Rotate the signing secret of ${endpoint.url}`, async () => {
        if (
          !confirm(
            `Make a new signing secret for ${endpoint.url}? The old one keeps signing for 24 hours.`,
          )
        )
          return;
        const rotated = await act(
          () => write('POST', `${path}/rotate-secret`),
          () => `New signing secret for ${endpoint.url}.`,
        );
        if (rotated) revealSecret(rotated.secret, endpoint, true);
      }),
      logButton,
      button(
        'Delete',
        `Delete endpoint ${endpoint.url}`,
        () => {
          if (
            !confirm(`Delete the endpoint ${endpoint.url}? Its pending deliveries and log go too.`)
          )
            return;
          void act(
            () => write('DELETE', path),
            () => `Endpoint ${endpoint.url} deleted.`,
          );
        },
        'danger',
      ),
    );
    item.append(actions, log);
    return item;
  }

  async function renderLog(endpoint, container) {
    const { items } = await api('GET', `/api/webhooks/endpoints/${endpoint.id}/deliveries`);
    container.replaceChildren();
    if (!items.length) {
      container.append(el('p', { className: 'hint', textContent: 'No deliveries yet.' }));
      return;
    }
    const head = el(
      'tr',
      {},
      ...['Event', 'Status', 'Attempts', 'Last response', 'Next retry', 'Actions'].map((h) =>
        el('th', { scope: 'col', textContent: h }),
      ),
    );
    const body = el('tbody');
    for (const delivery of items) {
      const last = delivery.attempts[delivery.attempts.length - 1];
      const lastText = last
        ? `${last.responseStatus ?? last.errorClass}${last.errorClass && last.responseStatus ? ` (${last.errorClass})` : ''}, ${last.latencyMs} ms`
        : '—';
      const row = el('tr', { dataset: { deliveryId: delivery.id } });
      for (const [label, text] of [
        ['Event', delivery.eventType],
        ['Status', delivery.status],
        ['Attempts', String(delivery.attempts.length)],
        ['Last response', lastText],
        ['Next retry', delivery.nextRetryAt ? dateText(delivery.nextRetryAt) : '—'],
      ])
        row.append(el('td', { textContent: text, dataset: { label } }));
      row.append(
        el(
          'td',
          {},
          button('Redeliver', `Redeliver ${delivery.eventType} ${delivery.webhookId}`, async () => {
            showStatus(status, '');
            try {
              await write('POST', `/api/webhooks/deliveries/${delivery.id}/redeliver`);
              showStatus(status, `${delivery.eventType} queued to be sent again.`, true);
              await renderLog(endpoint, container);
            } catch (error) {
              showStatus(status, error.message);
            }
          }),
        ),
      );
      body.append(row);
    }
    container.append(
      el(
        'table',
        {},
        el('caption', {
          className: 'visually-hidden',
          textContent: `Deliveries to ${endpoint.url}`,
        }),
        el('thead', {}, head),
        body,
      ),
    );
  }

  await refreshEndpoints();
}

const page = document.body.dataset.page;
if (page === 'login') void loginPage();
if (page === 'settings-api') void settingsPage();
