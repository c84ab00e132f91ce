/*
 * Agent console: what the copy of a visitor's page may contain (the allow-list, as data), and the
 * checks agent_replay.js makes with it before anything a visitor sent reaches the copy.
 * A visitor is anonymous and may send any snapshot: see docs/agent-console-security.md.
 *
 * - Elements: names are matched case-insensitively against the HTML and SVG names below, and
 *   custom element names (with a "-"). BLOCKED elements (script, object, embed, base, frame, ...)
 *   become an empty, hidden <glance-blocked> placeholder (so later changes still find their id).
 *   Any other name becomes a <span>.
 * - Attributes: matched case-insensitively against the names below, data-* and aria-*, and custom
 *   names with a separator ("x-cloak", "glance_masked"); never on*, srcdoc, http-equiv, formaction,
 *   action, ping, sandbox, allow, csp, nonce, xml:base (DENY). URL attributes keep only http(s),
 *   relative, #fragment, mailto:/tel: and data:image/ URLs (never javascript:, vbscript:, data: HTML).
 *   <link> keeps rel only when it is a stylesheet (no prefetch, preload or dns-prefetch); <meta> keeps
 *   name and charset only; <use> only #fragment references; <iframe> never a src (its document is
 *   filled by the console).
 * - doctype(value): a doctype name (or [name, public id, system id]) rebuilt from checked parts.
 * - canvasImage(url): a canvas image is drawn only from a data:image/ URL.
 *
 * window.agentReplayRules: {element(tag), attr(localName, name, value, isSvg), doctype(v),
 * safeUrl(v), canvasImage(url), lists}.
 */
(function () {
  "use strict";

  function set(text) {
    var out = Object.create(null);
    text.split(/\s+/).forEach(function (w) { if (w) out[w.toLowerCase()] = w; });
    return out;
  }

  var HTML = set(
    "a abbr acronym address area article aside audio b bdi bdo big blockquote body br button canvas caption " +
    "center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em fieldset figcaption " +
    "figure font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label " +
    "legend li link main map mark marquee menu meta meter nav nobr noscript ol optgroup option output p picture " +
    "pre progress q rp rt ruby s samp search section select slot small source span strike strong style sub " +
    "summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr");
  var SVG = set(
    "a animateMotion animateTransform circle clipPath defs desc ellipse feBlend feColorMatrix " +
    "feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight " +
    "feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode " +
    "feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence filter foreignObject " +
    "g image line linearGradient marker mask metadata mpath path pattern polygon polyline radialGradient rect " +
    "stop style svg switch symbol text textPath title tspan use view");
  // Never in the copy, in any case or namespace: they run code, load documents or change the base URL.
  var BLOCKED = set("script object embed applet base frame frameset portal fencedframe noembed param " +
    "handler listener set animate");

  var HTML_ATTRS = set(
    "abbr accept accept-charset accesskey align alink alt autocapitalize autocomplete autocorrect axis " +
    "background bgcolor border cellpadding cellspacing char charoff charset checked cite class clear color " +
    "cols colspan compact content contenteditable controls coords datetime decoding default dir dirname " +
    "disabled draggable enctype enterkeyhint face for frameborder headers height hidden high href hreflang " +
    "hspace id inert inputmode ismap itemid itemprop itemref itemscope itemtype kind label lang list loading " +
    "loop low marginheight marginwidth max maxlength media method min minlength multiple muted name nohref " +
    "noresize noshade novalidate nowrap open optimum part pattern placeholder popover poster preload readonly " +
    "rel rev required reversed role rows rowspan rules scope scrolling selected shape size sizes slot span " +
    "spellcheck src srclang srcset start step style summary tabindex text title translate type usemap valign " +
    "value valuetype version vlink vspace width wrap");
  var SVG_ATTRS = set(
    "accumulate additive alignment-baseline baseline-shift begin by calcMode class clip clip-path clip-rule " +
    "clipPathUnits color color-interpolation color-interpolation-filters cx cy d diffuseConstant direction " +
    "display divisor dominant-baseline dur dx dy edgeMode elevation end fill fill-opacity fill-rule filter " +
    "filterUnits flood-color flood-opacity font-family font-size font-size-adjust font-stretch font-style " +
    "font-variant font-weight fr from fx fy gradientTransform gradientUnits height href id image-rendering in " +
    "in2 k1 k2 k3 k4 kernelMatrix kernelUnitLength keyPoints keySplines keyTimes lang lengthAdjust " +
    "letter-spacing lighting-color limitingConeAngle marker-end marker-mid marker-start markerHeight " +
    "markerUnits markerWidth mask maskContentUnits maskUnits mode numOctaves offset opacity operator order " +
    "orient overflow paint-order path pathLength patternContentUnits patternTransform patternUnits " +
    "pointer-events points pointsAtX pointsAtY pointsAtZ preserveAlpha preserveAspectRatio primitiveUnits r " +
    "radius refX refY repeatCount repeatDur restart result role rotate rx ry scale seed shape-rendering " +
    "side specularConstant specularExponent spreadMethod startOffset stdDeviation stitchTiles stop-color " +
    "stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit " +
    "stroke-opacity stroke-width style surfaceScale systemLanguage tabindex tableValues targetX targetY " +
    "text-anchor text-decoration text-rendering textLength to transform transform-origin type unicode-bidi " +
    "values vector-effect version viewBox visibility width word-spacing writing-mode x x1 x2 " +
    "xChannelSelector xlink:href xlink:title xml:lang xml:space y y1 y2 yChannelSelector z");
  // Never kept, whatever the element: handlers (on*) are refused before these are looked at.
  var DENY = set("srcdoc http-equiv formaction action ping sandbox allow allowfullscreen allowpaymentrequest csp " +
    "nonce integrity autofocus autoplay is xml:base xmlns xmlns:xlink referrerpolicy attributename " +
    "crossorigin credentialless browsingtopics shadowrootmode target download");
  var URL_ATTRS = set("href src srcset poster background cite longdesc usemap xlink:href lowsrc dynsrc " +
    "codebase manifest icon profile data");
  var CUSTOM_ATTR = /^[a-z][a-z0-9]*[-_:][a-z0-9_.:-]*$/;
  var CUSTOM_ELEMENT = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;
  var STYLESHEET = /(^|\s)stylesheet(\s|$)/i;

  // A URL an attribute may keep: relative, #fragment, http(s), mailto:, tel:, about:blank, data:image/.
  function safeUrl(v) {
    var s = String(v).replace(/[\u0000-\u0020\u007f-\u00a0]+/g, "").toLowerCase();
    var m = /^([a-z][a-z0-9+.-]*):/.exec(s);
    if (!m) return s.indexOf("\\") < 0;                      // relative (never "\\host" tricks)
    var scheme = m[1];
    if (scheme === "http" || scheme === "https" || scheme === "mailto" || scheme === "tel") return true;
    if (scheme === "about") return s === "about:blank";
    if (scheme === "data") return /^data:image\/(png|gif|jpeg|jpg|webp|avif|bmp|x-icon|svg\+xml)[;,]/.test(s);
    return false;                                           // javascript:, vbscript:, blob:, file:, ...
  }

  function safeSrcset(v) {
    var parts = String(v).split(",");
    for (var i = 0; i < parts.length; i++) {
      var url = parts[i].trim().split(/\s+/)[0];
      if (/^data:/i.test(url)) return false;               // a data: URL holds commas: not in a srcset
      if (url && !safeUrl(url)) return false;
    }
    return true;
  }

  /** The element to create for a visitor's tag ("div", "svg:path"): {name, svg, blocked}. */
  function element(tag) {
    var t = String(tag), svg = t.slice(0, 4).toLowerCase() === "svg:";
    var low = (svg ? t.slice(4) : t).toLowerCase();
    if (BLOCKED[low]) return {name: "glance-blocked", svg: false, blocked: true};
    if (svg) {
      var canon = SVG[low];
      return canon ? {name: canon, svg: true, blocked: false} : {name: "glance-blocked", svg: false, blocked: true};
    }
    if (HTML[low] || CUSTOM_ELEMENT.test(low)) return {name: low, svg: false, blocked: false};
    return {name: "span", svg: false, blocked: false};
  }

  /**
   * The attribute to set on the copy's element `localName` for the visitor's (name, value), as
   * [name, value]; [name, null] removes it; null: the attribute is refused (left as it is).
   */
  function attr(localName, name, value, isSvg) {
    var n = String(name), low = n.toLowerCase(), el = String(localName).toLowerCase();
    if (low.slice(0, 2) === "on" || DENY[low]) return null;
    var canon = null;
    if (isSvg) canon = SVG_ATTRS[low] || null;
    else if (HTML_ATTRS[low]) canon = low;
    if (!canon && (low.slice(0, 5) === "data-" || low.slice(0, 5) === "aria-" || CUSTOM_ATTR.test(low))) canon = low;
    if (!canon || !/^[a-z][a-z0-9_.:-]*$/i.test(canon)) return null;
    if (value === null || value === undefined) return [canon, null];
    var v = String(value);
    if (el === "iframe" && (low === "src" || low === "name")) return null;  // the console fills the copy's frames
    if (el === "meta" && low !== "name" && low !== "charset") return null;  // no refresh, CSP or referrer games
    if (el === "link" && low === "rel") return STYLESHEET.test(v) ? [canon, "stylesheet"] : [canon, null];
    if (el === "use" && (low === "href" || low === "xlink:href")) return v.charAt(0) === "#" ? [canon, v] : null;
    if (low === "srcset") return safeSrcset(v) ? [canon, v] : null;
    if (URL_ATTRS[low] && !safeUrl(v)) return null;
    return [canon, v];
  }

  // A doctype rebuilt from its parts: a checked name, and quoted ids without quotes or angle brackets.
  function doctype(value) {
    var name = value, pub = "", sys = "";
    if (Array.isArray(value)) { name = value[0]; pub = value[1] || ""; sys = value[2] || ""; }
    if (typeof name !== "string" || !/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(name)) return null;
    var id = /^[A-Za-z0-9 \-()+,.\/:=?;!*#@$_%]{0,256}$/;
    if (typeof pub !== "string" || typeof sys !== "string" || !id.test(pub) || !id.test(sys)) return {name: name, text: "<!DOCTYPE " + name + ">"};
    var text = "<!DOCTYPE " + name + (pub ? ' PUBLIC "' + pub + '"' + (sys ? ' "' + sys + '"' : "") :
      sys ? ' SYSTEM "' + sys + '"' : "") + ">";
    return {name: name, text: text};
  }

  function canvasImage(url) {
    return typeof url === "string" && /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+\/=\s]*$/i.test(url);
  }

  window.agentReplayRules = {element: element, attr: attr, doctype: doctype, safeUrl: safeUrl,
    canvasImage: canvasImage, lists: {html: HTML, svg: SVG, blocked: BLOCKED, htmlAttrs: HTML_ATTRS,
      svgAttrs: SVG_ATTRS, deny: DENY, urlAttrs: URL_ATTRS}};
})();
