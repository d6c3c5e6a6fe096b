/* Propulse segment builder: nested all / any / none groups of conditions, written as the
   definition's JSON into the form's textarea (docs/segments.md). The textarea stays the source
   of truth: without JavaScript it is edited by hand; with it, typing valid JSON there redraws
   the builder. Every change fires "definition-changed" on the textarea, on which htmx asks the
   server for the live count. The catalog (fields, operators, labels) comes from the server. */
(function () {
  "use strict";

  var root = document.getElementById("segment-builder");
  if (!root) return;
  var catalog = JSON.parse(root.getAttribute("data-catalog"));
  var textarea = document.getElementById(root.getAttribute("data-target"));
  var words = catalog.words;
  var fields = {};
  catalog.groups.forEach(function (group) {
    group.fields.forEach(function (field) { fields[field.name] = field; });
  });
  var counter = 0;

  /* The model: {type: "group", mode: "all"|"any"|"none", children: [...]}, or a condition
     {type: "field"|"event"|"consent"|"segment", ...}. */
  function fromJson(node) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return null;
    if (Array.isArray(node.all) || Array.isArray(node.any)) {
      var mode = node.all ? "all" : "any";
      return {type: "group", mode: mode, children: node[mode].map(fromJson).filter(Boolean)};
    }
    if (node.not !== undefined) {
      var inner = node.not || {};
      if (inner.event !== undefined) {
        var negated = fromJson(inner);
        if (negated) negated.negate = true;
        return negated;
      }
      var children = Array.isArray(inner.any) ? inner.any.map(fromJson) : [fromJson(inner)];
      return {type: "group", mode: "none", children: children.filter(Boolean)};
    }
    if (node.field !== undefined) return {type: "field", field: node.field, op: node.op, value: node.value};
    if (node.event !== undefined) {
      return {type: "event", event: node.event, within: node.within_days, count: node.min_count,
        where: Object.keys(node.where || {}).map(function (k) { return [k, node.where[k]]; })};
    }
    if (node.consent !== undefined) return {type: "consent", bases: node["in"] || []};
    if (node.segment !== undefined) return {type: "segment", segment: node.segment, member: node.member !== false};
    return null;
  }

  function toJson(node) {
    if (node.type === "group") {
      /* An empty group inside another is left out: in JSON, an empty "any" holds for nobody,
         which is never what a half-built group means. */
      var children = node.children.filter(function (child) {
        return child.type !== "group" || child.children.length;
      }).map(toJson);
      if (node.mode === "none") return {not: children.length === 1 ? children[0] : {any: children}};
      var group = {};
      group[node.mode] = children;
      return group;
    }
    if (node.type === "field") {
      var found = {field: node.field, op: node.op};
      if (node.value !== undefined && node.value !== null && !/empty/.test(node.op)) found.value = node.value;
      return found;
    }
    if (node.type === "event") {
      var event = {event: node.event || ""};
      if (node.within) event.within_days = node.within;
      if (node.count && node.count > 1) event.min_count = node.count;
      var where = {};
      node.where.forEach(function (pair) { if (pair[0]) where[pair[0]] = pair[1]; });
      if (Object.keys(where).length) event.where = where;
      return node.negate ? {not: event} : event;
    }
    if (node.type === "consent") return {consent: "email", "in": node.bases};
    return {segment: node.segment, member: node.member};
  }

  function element(tag, attributes, children) {
    var made = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") made.textContent = attributes[key];
      else made.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) { if (child) made.appendChild(child); });
    return made;
  }

  function select(label, options, current, onChange) {
    var control = element("select", {"aria-label": label});
    options.forEach(function (option) {
      if (option.group) {
        var group = element("optgroup", {label: option.group});
        option.options.forEach(function (inner) { group.appendChild(optionOf(inner, current)); });
        control.appendChild(group);
      } else {
        control.appendChild(optionOf(option, current));
      }
    });
    control.addEventListener("change", function () { onChange(control.value); });
    return control;
  }

  function optionOf(option, current) {
    var made = element("option", {value: String(option.value), text: option.label});
    if (String(option.value) === String(current)) made.selected = true;
    return made;
  }

  function input(label, type, value, onInput) {
    var control = element("input", {"aria-label": label, type: type});
    if (value !== undefined && value !== null) control.value = value;
    if (type === "number") control.setAttribute("step", "any");
    control.addEventListener("input", function () { onInput(control.value); });
    return control;
  }

  function button(text, onClick, extra) {
    var made = element("button", Object.assign({type: "button", "class": "small"}, extra || {}));
    made.textContent = text;
    made.addEventListener("click", onClick);
    return made;
  }

  function typed(kind, raw) {
    if (kind === "number") return raw === "" || isNaN(Number(raw)) ? raw : Number(raw);
    if (kind === "reference") return raw === "" ? raw : Number(raw);
    if (kind === "flag") return raw === "true";
    return raw;
  }

  function propertyValue(raw) {
    if (raw === "true" || raw === "false") return raw === "true";
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }

  function operatorsOf(field) {
    var dated = field.kind === "moment" || field.kind === "day";
    return field.ops.map(function (op) {
      var label = (dated && catalog.date_operators[op]) || catalog.operators[op] || op;
      return {value: op, label: label};
    });
  }

  function valueControls(node, field, changed) {
    var op = node.op;
    if (/empty/.test(op)) return [];
    if (op === "within_days" || op === "before_days") {
      return [input(words.days, "number", node.value, function (v) { node.value = Number(v) || v; changed(); }),
        element("span", {text: words.days})];
    }
    var inputType = field.kind === "number" ? "number" : (field.kind === "moment" || field.kind === "day") ? "date" : "text";
    if (op === "between") {
      var pair = Array.isArray(node.value) ? node.value.slice() : ["", ""];
      node.value = pair;
      return [input(words.value, inputType, pair[0], function (v) { pair[0] = typed(field.kind, v); changed(); }),
        element("span", {text: words.and}),
        input(words.value, inputType, pair[1], function (v) { pair[1] = typed(field.kind, v); changed(); })];
    }
    if (op === "in" || op === "not_in") {
      var listed = Array.isArray(node.value) ? node.value.join(", ") : "";
      return [input(words.values_hint, "text", listed, function (v) {
        node.value = v.split(",").map(function (part) { return typed(field.kind, part.trim()); })
          .filter(function (part) { return part !== ""; });
        changed();
      })];
    }
    if (field.kind === "flag") {
      if (typeof node.value !== "boolean") node.value = true;
      return [select(words.value, [{value: "true", label: words.yes}, {value: "false", label: words.no}],
        String(node.value), function (v) { node.value = v === "true"; changed(); })];
    }
    if (field.choices.length) {
      var choices = [{value: "", label: words.choose}].concat(field.choices);
      return [select(words.value, choices, node.value, function (v) { node.value = typed(field.kind, v); changed(); })];
    }
    return [input(words.value, inputType, node.value, function (v) { node.value = typed(field.kind, v); changed(); })];
  }

  function kindOptions() {
    var options = catalog.groups.map(function (group) {
      return {group: group.label, options: group.fields.map(function (f) { return {value: f.name, label: f.label}; })};
    });
    options.push({group: words.other, options: [
      {value: ":event", label: words.event}, {value: ":consent", label: words.consent},
      {value: ":segment", label: words.segment}]});
    return options;
  }

  function fresh(choice) {
    if (choice === ":event") return {type: "event", event: "email_clicked", within: 30, count: 1, where: []};
    if (choice === ":consent") return {type: "consent", bases: ["opt_in"]};
    if (choice === ":segment") {
      return {type: "segment", segment: catalog.segments.length ? catalog.segments[0].value : null, member: true};
    }
    var field = fields[choice];
    return {type: "field", field: choice, op: field.ops[0], value: field.kind === "flag" ? true : undefined};
  }

  function conditionRow(node, replace, remove) {
    var row = element("div", {"class": "builder-row", role: "group", "aria-label": words.condition});
    var current = node.type === "field" ? node.field : ":" + node.type;
    row.appendChild(select(words.condition, kindOptions(), current, function (choice) { replace(fresh(choice)); }));
    if (node.type === "field") {
      var field = fields[node.field];
      if (!field) {
        row.appendChild(element("code", {text: node.field}));
      } else {
        row.appendChild(select(words.operator, operatorsOf(field), node.op, function (op) {
          node.op = op;
          node.value = undefined;
          replace(node);
        }));
        valueControls(node, field, update).forEach(function (control) { row.appendChild(control); });
      }
    } else if (node.type === "event") {
      row.appendChild(select(words.did, [{value: "did", label: words.did}, {value: "not", label: words.did_not}],
        node.negate ? "not" : "did", function (v) { node.negate = v === "not"; update(); }));
      var listId = "event-types-" + (++counter);
      var typeInput = input(words.event_type, "text", node.event, function (v) { node.event = v.trim(); update(); });
      typeInput.setAttribute("list", listId);
      row.appendChild(typeInput);
      row.appendChild(element("datalist", {id: listId}, catalog.events.map(function (e) {
        return element("option", {value: e.value, label: e.label});
      })));
      row.appendChild(input(words.within, "number", node.within, function (v) { node.within = v ? Number(v) : null; update(); }));
      row.appendChild(input(words.at_least, "number", node.count || 1, function (v) { node.count = Number(v) || 1; update(); }));
      node.where.forEach(function (pair, index) {
        row.appendChild(input(words.property, "text", pair[0], function (v) { pair[0] = v.trim(); update(); }));
        row.appendChild(input(words.property_value, "text", pair[1], function (v) { pair[1] = propertyValue(v.trim()); update(); }));
        row.appendChild(button("×", function () { node.where.splice(index, 1); replace(node); },
          {"aria-label": words.remove + " " + words.property}));
      });
      row.appendChild(button(words.add_property, function () { node.where.push(["", ""]); replace(node); }));
    } else if (node.type === "consent") {
      row.appendChild(element("span", {text: words.consent_is}));
      catalog.consent.forEach(function (basis) {
        var box = element("input", {type: "checkbox", value: basis.value});
        box.checked = node.bases.indexOf(basis.value) >= 0;
        box.addEventListener("change", function () {
          node.bases = catalog.consent.map(function (b) { return b.value; }).filter(function (value) {
            return value === basis.value ? box.checked : node.bases.indexOf(value) >= 0;
          });
          update();
        });
        row.appendChild(element("label", {"class": "checkbox"}, [box, document.createTextNode(" " + basis.label)]));
      });
    } else {
      row.appendChild(select(words.segment, [{value: "in", label: words.is_in}, {value: "out", label: words.is_not_in}],
        node.member ? "in" : "out", function (v) { node.member = v === "in"; update(); }));
      row.appendChild(select(words.segment, catalog.segments, node.segment, function (v) { node.segment = Number(v); update(); }));
    }
    row.appendChild(button(words.remove, remove, {"class": "small danger"}));
    return row;
  }

  function groupBox(node, remove) {
    var box = element("div", {"class": "builder-group", role: "group", "aria-label": words.match});
    var head = element("div", {"class": "builder-head"});
    head.appendChild(element("span", {text: words.match}));
    head.appendChild(select(words.match, ["all", "any", "none"].map(function (mode) {
      return {value: mode, label: words[mode]};
    }), node.mode, function (mode) { node.mode = mode; update(); }));
    if (remove) head.appendChild(button(words.remove, remove, {"class": "small danger"}));
    box.appendChild(head);
    var list = element("div", {"class": "builder-children"});
    node.children.forEach(function (child, index) {
      function removeChild() { node.children.splice(index, 1); redraw(); }
      function replaceChild(made) { node.children[index] = made; redraw(); }
      list.appendChild(child.type === "group" ? groupBox(child, removeChild) : conditionRow(child, replaceChild, removeChild));
    });
    box.appendChild(list);
    var foot = element("div", {"class": "builder-foot"});
    foot.appendChild(button(words.add_condition, function () {
      node.children.push(fresh(catalog.groups[0].fields[0].name)); redraw();
    }));
    foot.appendChild(button(words.add_group, function () {
      node.children.push({type: "group", mode: "any", children: []}); redraw();
    }));
    box.appendChild(foot);
    return box;
  }

  var state = {type: "group", mode: "all", children: []};

  function update() {
    textarea.value = JSON.stringify(toJson(state), null, 2);
    textarea.dispatchEvent(new Event("definition-changed", {bubbles: true}));
  }

  function redraw() {
    root.replaceChildren(groupBox(state, null));
    update();
  }

  function load() {
    try {
      var parsed = fromJson(JSON.parse(textarea.value || "{}"));
      if (!parsed) return false;
      state = parsed.type === "group" ? parsed : {type: "group", mode: "all", children: [parsed]};
    } catch (error) {
      return false;
    }
    root.replaceChildren(groupBox(state, null));
    return true;
  }

  /* Typing JSON by hand redraws the builder as soon as it reads; the count follows by htmx. */
  textarea.addEventListener("input", load);
  load();
  root.hidden = false;
})();
