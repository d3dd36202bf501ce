/* Charter cookie-consent banner (client side).
 * Served by GET /consent.js right after `window.CharterConsentConfig = {...};`.
 * Self-contained ES2017: no dependencies, no eval, no inline styles, DOM built with textContent. */
(function () {
  'use strict';

  const config = window.CharterConsentConfig;
  // Nothing to do without a config, if loaded twice, or if only necessary cookies exist.
  if (!config || !Array.isArray(config.categories) || window.CharterConsent) return;
  const optional = config.categories.filter((category) => !category.required);
  if (!optional.length) return;

  const COOKIE = 'charter_consent';
  const MAX_AGE = 395 * 24 * 60 * 60; // 13 months
  const PRIVACY_LABELS = { en: 'Privacy policy', fr: 'Politique de confidentialit\u00e9', nl: 'Privacybeleid', de: 'Datenschutzerkl\u00e4rung' };
  const IDS = { title: 'charter-consent-title', intro: 'charter-consent-intro', settingsTitle: 'charter-consent-settings-title', settingsIntro: 'charter-consent-settings-intro' };
  const gpcSignal = config.gpc === true || navigator.globalPrivacyControl === true;
  const gpcActive = gpcSignal && config.honourGpc === true;
  const categoriesById = {};
  config.categories.forEach((category) => { categoriesById[category.id] = category; });

  const state = { choice: null, previous: null, mode: null, layer: null, opener: null, root: null, dock: null, reopen: null, status: null };

  /* ---------- Google Consent Mode v2: defaults must precede every tag ---------- */
  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== 'function') {
    window.gtag = function gtag() { window.dataLayer.push(arguments); };
  }
  window.gtag('consent', 'default', {
    ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied',
    analytics_storage: 'denied', functionality_storage: 'denied', personalization_storage: 'denied',
    security_storage: 'granted', wait_for_update: 500,
  });

  // GPC wins over any stored or requested marketing grant.
  const isGranted = (choice, categoryId) => !!choice.c[categoryId] && !(gpcActive && categoryId === 'marketing');

  // Consent Mode speaks to Google's tags: where Google is a provider of a category, a
  // visitor who keeps the category but turns Google off has refused Google.
  const googleIn = (categoryId) => ((categoriesById[categoryId] || {}).vendors || []).some((vendor) => vendor.id === 'google');

  function updateGoogleConsent(choice) {
    const allowed = (categoryId) => isGranted(choice, categoryId) && (!googleIn(categoryId) || choice.vd.google === true);
    const value = (categoryId) => (allowed(categoryId) ? 'granted' : 'denied');
    window.gtag('consent', 'update', {
      analytics_storage: value('analytics'),
      ad_storage: value('marketing'), ad_user_data: value('marketing'), ad_personalization: value('marketing'),
      functionality_storage: value('preferences'), personalization_storage: value('preferences'),
    });
  }

  /* ---------- Stored choice (first-party cookie, no personal data) ---------- */
  function readStoredChoice() {
    const entry = document.cookie.split(/;\s*/).find((part) => part.indexOf(COOKIE + '=') === 0);
    if (!entry) return null;
    try {
      const value = JSON.parse(decodeURIComponent(entry.slice(COOKIE.length + 1)));
      if (!value || typeof value !== 'object' || !value.c || typeof value.c !== 'object') return null;
      return { id: value.id, v: value.v, c: value.c, vd: value.vd && typeof value.vd === 'object' ? value.vd : {}, dns: value.dns === true, t: value.t };
    } catch (error) {
      return null; // a tampered or truncated cookie counts as no choice
    }
  }

  function writeStoredChoice(choice) {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = COOKIE + '=' + encodeURIComponent(JSON.stringify(choice)) + '; path=/; max-age=' + MAX_AGE + '; SameSite=Lax' + secure;
  }

  function newId() {
    const crypto = window.crypto;
    if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
  }

  const copy = (choice) => (choice ? JSON.parse(JSON.stringify(choice)) : null);

  /* ---------- Building a choice ---------- */
  // What each action grants: (categoryId) -> bool and (categoryId, vendorId) -> bool.
  function grantsFor(action) {
    if (action === 'accept_all') return { category: () => true, vendor: () => true };
    if (action === 'reject_all') return { category: () => false, vendor: () => false };
    if (action === 'custom') return readSettingsForm();
    const base = state.choice; // do_not_sell keeps the other choices as they are
    return {
      category: (id) => id !== 'marketing' && !!(base && base.c[id]),
      vendor: (categoryId, vendorId) => !!(base && base.vd[vendorId]),
    };
  }

  function makeChoice(action, previous) {
    const grants = grantsFor(action);
    const c = {};
    const vd = {};
    optional.forEach((category) => {
      const granted = grants.category(category.id) && !(gpcActive && category.id === 'marketing');
      c[category.id] = granted;
      // A vendor listed under several categories is granted if any of them grants it.
      (category.vendors || []).forEach((vendor) => {
        vd[vendor.id] = vd[vendor.id] === true || (granted && grants.vendor(category.id, vendor.id));
      });
    });
    // An earlier "do not sell" stands until marketing is explicitly granted again.
    const dns = gpcActive || action === 'do_not_sell' || (!!(previous && previous.dns) && !c.marketing);
    const id = previous && /^[0-9a-f-]{36}$/i.test(previous.id) ? previous.id : newId();
    return { id: id, v: config.policyVersion, c: c, vd: vd, dns: dns, t: Date.now() };
  }

  /* ---------- Applying a choice ---------- */
  function isAllowed(choice, categoryId, vendorId) {
    const category = categoriesById[categoryId];
    if (category && category.required) return true;
    if (!choice || !category || !isGranted(choice, categoryId)) return false;
    return !vendorId || choice.vd[vendorId] === true;
  }

  // Replace each blocked <script type="text/plain" data-category> with a live copy; once only,
  // since the placeholder leaves the DOM.
  function activateBlockedContent(choice) {
    document.querySelectorAll('script[type="text/plain"][data-category]').forEach((blocked) => {
      if (!isAllowed(choice, blocked.getAttribute('data-category'), blocked.getAttribute('data-vendor'))) return;
      const script = document.createElement('script');
      Array.from(blocked.attributes).forEach((attr) => { if (attr.name !== 'type') script.setAttribute(attr.name, attr.value); });
      if (blocked.getAttribute('data-type')) script.type = blocked.getAttribute('data-type');
      if (blocked.nonce) script.nonce = blocked.nonce; // the nonce attribute is hidden after parsing
      if (!blocked.hasAttribute('async')) script.async = false; // keep document order
      if (!blocked.hasAttribute('src')) script.text = blocked.text;
      blocked.parentNode.replaceChild(script, blocked);
    });
    document.querySelectorAll('iframe[data-category][data-src]:not([data-charter-activated])').forEach((frame) => {
      if (!isAllowed(choice, frame.getAttribute('data-category'), frame.getAttribute('data-vendor'))) return;
      frame.setAttribute('data-charter-activated', '');
      frame.src = frame.getAttribute('data-src');
    });
  }

  // Expire a cookie host-only and for every parent domain (it may have been set with Domain=).
  function expireCookie(name) {
    const base = name + '=; max-age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
    document.cookie = base;
    const labels = location.hostname.split('.');
    for (let i = 0; i < labels.length - 1; i += 1) document.cookie = base + '; domain=.' + labels.slice(i).join('.');
  }

  function expireDeclaredCookie(pattern) {
    if (!pattern || pattern === COOKIE) return;
    if (pattern.slice(-1) !== '*') return expireCookie(pattern);
    const prefix = pattern.slice(0, -1); // "_ga_*" style names: expire every match present
    document.cookie.split(/;\s*/).map((part) => part.split('=')[0])
      .filter((name) => name && name !== COOKIE && name.indexOf(prefix) === 0).forEach(expireCookie);
  }

  function clearWithdrawnCookies(previous, next) {
    optional.forEach((category) => {
      const wasGranted = !!previous.c[category.id];
      (category.vendors || []).forEach((vendor) => {
        const lost = wasGranted && (!isGranted(next, category.id) || (previous.vd[vendor.id] && !next.vd[vendor.id]));
        if (lost) (vendor.cookies || []).forEach((cookie) => expireDeclaredCookie(cookie.name));
      });
    });
  }

  const announce = (choice) => document.dispatchEvent(new CustomEvent('charter:consent', { detail: copy(choice) }));

  function applyChoice(choice, previous) {
    state.choice = choice;
    updateGoogleConsent(choice);
    if (previous) clearWithdrawnCookies(previous, choice);
    activateBlockedContent(choice);
    announce(choice);
  }

  // Proof of consent; best effort, never blocks or breaks the page.
  function sendProof(choice, action) {
    if (typeof window.fetch !== 'function' || !config.endpoint) return;
    const body = {
      consentId: choice.id, policyVersion: choice.v, language: config.language, action: action,
      choices: choice.c, vendors: choice.vd, doNotSell: choice.dns, gpc: gpcSignal,
    };
    try {
      window.fetch(config.endpoint, {
        method: 'POST', keepalive: true, credentials: 'omit',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      }).catch(() => {});
    } catch (error) { /* ignored on purpose */ }
  }

  function recordChoice(action) {
    const previous = state.choice || state.previous;
    const choice = makeChoice(action, previous);
    writeStoredChoice(choice);
    applyChoice(choice, previous);
    sendProof(choice, action);
  }

  /* ---------- DOM helpers ---------- */
  function el(tag, attrs) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((key) => {
      const value = attrs[key];
      if (value === false || value === null || value === undefined) return;
      node.setAttribute(key === 'className' ? 'class' : key, value === true ? '' : String(value));
    });
    Array.prototype.slice.call(arguments, 2).forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  const text = (key) => (config.texts && config.texts[key]) || '';

  function button(action, textKey, variant) {
    return el('button', { type: 'button', className: 'charter-consent__btn charter-consent__btn--' + variant, 'data-charter-action': action }, text(textKey));
  }

  function privacyLink() {
    const url = String(config.privacyUrl || '');
    if (!/^(https?:)?\//i.test(url)) return null; // never a javascript: URL
    const lang = String(config.language || 'en').slice(0, 2).toLowerCase();
    const label = text('privacy') || PRIVACY_LABELS[lang] || PRIVACY_LABELS.en;
    return el('a', { href: url, className: 'charter-consent__link' }, label);
  }

  function gpcNote() {
    return gpcActive ? el('p', { className: 'charter-consent__note' }, text('gpcHonoured')) : null;
  }

  /* ---------- First layer ---------- */
  function renderBanner() {
    return el('div', { className: 'charter-consent__banner', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': IDS.title, 'aria-describedby': IDS.intro },
      el('h2', { id: IDS.title, className: 'charter-consent__title' }, text('title')),
      el('p', { id: IDS.intro, className: 'charter-consent__text' }, text('intro')),
      privacyLink() ? el('p', { className: 'charter-consent__text' }, privacyLink()) : null,
      gpcNote(),
      el('div', { className: 'charter-consent__actions' },
        button('accept', 'acceptAll', 'primary'), button('reject', 'rejectAll', 'primary'),
        button('customize', 'customize', 'secondary'), config.doNotSellLink ? button('dns', 'doNotSell', 'link') : null));
  }

  /* ---------- Second layer (settings) ---------- */
  function renderCookieTable(cookies) {
    if (!cookies || !cookies.length) return null;
    return el('table', { className: 'charter-consent__cookies' },
      el('thead', null, el('tr', null, el('th', { scope: 'col' }, text('cookie')), el('th', { scope: 'col' }, text('duration')), el('th', { scope: 'col' }, text('purpose')))),
      el('tbody', null, ...cookies.map((cookie) => el('tr', null, el('td', null, String(cookie.name || '')), el('td', null, String(cookie.duration || '')), el('td', null, String(cookie.purpose || ''))))));
  }

  function renderVendor(category, vendor, locked, choice) {
    const id = 'charter-consent-vendor-' + category.id + '-' + vendor.id;
    const on = category.required || (!locked && !!(choice && choice.c[category.id] && choice.vd[vendor.id]));
    return el('div', { className: 'charter-consent__vendor' },
      el('div', { className: 'charter-consent__row' },
        el('input', { type: 'checkbox', id: id, className: 'charter-consent__check', 'data-charter-vendor': vendor.id, 'data-charter-category': category.id, checked: on, disabled: locked }),
        el('label', { for: id, className: 'charter-consent__label' }, String(vendor.name || vendor.id))),
      renderCookieTable(vendor.cookies));
  }

  function renderCategory(category, choice) {
    const gpcLocked = gpcActive && category.id === 'marketing';
    const locked = !!category.required || gpcLocked;
    const on = !!category.required || (!locked && !!(choice && choice.c[category.id]));
    const id = 'charter-consent-category-' + category.id;
    const vendors = category.vendors || [];
    return el('section', { className: 'charter-consent__category' },
      el('div', { className: 'charter-consent__row' },
        el('input', { type: 'checkbox', id: id, className: 'charter-consent__check', 'data-charter-category': category.id, checked: on, disabled: locked, 'aria-describedby': category.description ? id + '-desc' : null }),
        el('label', { for: id, className: 'charter-consent__label charter-consent__label--category' }, String(category.label || category.id)),
        category.required ? el('span', { className: 'charter-consent__tag' }, text('alwaysOn')) : null),
      category.description ? el('p', { id: id + '-desc', className: 'charter-consent__desc' }, String(category.description)) : null,
      gpcLocked ? gpcNote() : null,
      vendors.length ? el('details', { className: 'charter-consent__vendors', open: true },
        el('summary', { className: 'charter-consent__summary' }, text('vendors') + ' (' + vendors.length + ')'),
        ...vendors.map((vendor) => renderVendor(category, vendor, locked, choice))) : null);
  }

  function renderSettings() {
    const panel = el('div', { className: 'charter-consent__panel', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': IDS.settingsTitle, 'aria-describedby': IDS.settingsIntro },
      el('div', { className: 'charter-consent__head' },
        el('h2', { id: IDS.settingsTitle, className: 'charter-consent__title' }, text('settings')),
        button('close', 'close', 'secondary')),
      el('p', { id: IDS.settingsIntro, className: 'charter-consent__text' }, text('intro'), ' ', privacyLink()),
      ...config.categories.map((category) => renderCategory(category, state.choice)),
      el('div', { className: 'charter-consent__actions' },
        button('save', 'save', 'primary'), config.doNotSellLink ? button('dns', 'doNotSell', 'link') : null));
    return el('div', { className: 'charter-consent__overlay' }, panel);
  }

  function readSettingsForm() {
    const categories = {};
    const vendors = {};
    const inputs = state.mode === 'settings' ? state.layer.querySelectorAll('input[data-charter-category]') : [];
    inputs.forEach((input) => {
      const categoryId = input.getAttribute('data-charter-category');
      const vendorId = input.getAttribute('data-charter-vendor');
      if (vendorId === null) categories[categoryId] = input.checked;
      else vendors[categoryId + '\u0000' + vendorId] = input.checked;
    });
    return {
      category: (id) => categories[id] === true,
      vendor: (categoryId, vendorId) => vendors[categoryId + '\u0000' + vendorId] !== false,
    };
  }

  // Turning a category on (or off) turns its vendors on (or off) too.
  function syncVendors(event) {
    const input = event.target;
    if (!input.matches('input[data-charter-category]:not([data-charter-vendor])')) return;
    state.layer.querySelectorAll('input[data-charter-vendor]').forEach((vendorInput) => {
      if (vendorInput.getAttribute('data-charter-category') === input.getAttribute('data-charter-category') && !vendorInput.disabled) {
        vendorInput.checked = input.checked;
      }
    });
  }

  /* ---------- Layers, focus and keyboard ---------- */
  function focusables(container) {
    return Array.from(container.querySelectorAll('button, input, a[href], summary, [tabindex]'))
      .filter((node) => !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0);
  }

  function showLayer(mode, node) {
    removeLayer();
    state.mode = mode;
    state.layer = node;
    state.root.appendChild(node);
    state.dock.hidden = true;
    state.status.textContent = '';
    state.status.hidden = true;
    const first = node.querySelector('button');
    if (first) first.focus({ preventScroll: true });
  }

  function removeLayer() {
    if (state.layer) state.layer.remove();
    state.layer = null;
    state.mode = null;
    state.dock.hidden = !state.choice;
  }

  function restoreFocus() {
    const opener = state.opener;
    state.opener = null;
    const target = opener && opener.isConnected && !state.root.contains(opener) ? opener : state.reopen;
    if (target) target.focus({ preventScroll: true });
  }

  const showBanner = () => showLayer('banner', renderBanner());

  function openSettings() {
    if (state.mode !== 'settings') state.opener = document.activeElement;
    showLayer('settings', renderSettings());
  }

  // Escape or "close": back to the first layer while no choice exists, else out of the way.
  function closeSettings() {
    if (!state.choice) return showBanner();
    const hadFocus = state.root.contains(document.activeElement);
    removeLayer();
    if (hadFocus) restoreFocus();
  }

  function choose(action) {
    const hadFocus = state.root.contains(document.activeElement);
    recordChoice(action);
    removeLayer();
    if (action === 'do_not_sell') state.status.textContent = text('doNotSellDone');
    state.status.hidden = !state.status.textContent;
    if (hadFocus) restoreFocus();
  }

  function onKeydown(event) {
    if (state.mode !== 'settings') return;
    if (event.key === 'Escape') {
      event.preventDefault();
      return closeSettings();
    }
    if (event.key !== 'Tab') return;
    const items = focusables(state.layer);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const inside = state.layer.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  const ACTIONS = {
    accept: () => choose('accept_all'),
    reject: () => choose('reject_all'),
    save: () => choose('custom'),
    dns: () => choose('do_not_sell'),
    customize: openSettings,
    reopen: openSettings,
    close: closeSettings,
  };

  function onRootClick(event) {
    const target = event.target.closest('[data-charter-action]');
    const handler = target && state.root.contains(target) && ACTIONS[target.getAttribute('data-charter-action')];
    if (handler) handler();
  }

  function onDocumentClick(event) {
    const trigger = event.target instanceof Element && event.target.closest('[data-charter-consent-open]');
    if (!trigger) return;
    event.preventDefault();
    openSettings();
  }

  /* ---------- Start ---------- */
  function loadStylesheet() {
    if (!config.stylesheet || document.querySelector('link[data-charter-consent]')) return;
    const link = el('link', { rel: 'stylesheet', href: config.stylesheet, 'data-charter-consent': '' });
    (document.head || document.documentElement).appendChild(link);
  }

  function buildRoot() {
    state.reopen = el('button', { type: 'button', className: 'charter-consent__reopen', 'data-charter-action': 'reopen' }, text('settings'));
    state.status = el('p', { className: 'charter-consent__status', role: 'status', hidden: true });
    state.dock = el('div', { className: 'charter-consent__dock', hidden: true }, state.reopen, state.status);
    state.root = el('div', { className: 'charter-consent', lang: config.language || null }, state.dock);
    state.root.addEventListener('click', onRootClick);
    state.root.addEventListener('change', syncVendors);
    document.body.appendChild(state.root);
  }

  function whenReady(callback) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', callback, { once: true });
    else callback();
  }

  function start() {
    buildRoot();
    document.addEventListener('click', onDocumentClick);
    document.addEventListener('keydown', onKeydown);
    activateBlockedContent(state.choice); // necessary-only content runs even before a choice
    if (!state.choice) return showBanner();
    if (gpcActive && (!state.choice.dns || state.choice.c.marketing)) recordChoice('do_not_sell'); // GPC overrides an older opt-in
    else announce(state.choice);
    state.dock.hidden = false;
  }

  const stored = readStoredChoice();
  if (stored && stored.v === config.policyVersion) {
    state.choice = stored;
    updateGoogleConsent(stored); // as early as possible, before tags read the defaults
  } else {
    state.previous = stored; // an older policy's choice: keeps the id and drives cookie withdrawal
  }

  loadStylesheet();
  window.CharterConsent = {
    open: () => whenReady(openSettings),
    doNotSell: () => whenReady(() => choose('do_not_sell')),
    choice: () => copy(state.choice),
  };
  whenReady(start);
})();
