package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.Violations;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.trafficmirror.core.config.json.Fields.DESCRIPTION;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_CIDR;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.DIRECTION;
import static io.trafficmirror.core.config.json.Fields.FILTERS;
import static io.trafficmirror.core.config.json.Fields.FILTER_ID;
import static io.trafficmirror.core.config.json.Fields.FILTER_RULES;
import static io.trafficmirror.core.config.json.Fields.FROM_PORT;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACE_ID;
import static io.trafficmirror.core.config.json.Fields.NETWORK_SERVICES;
import static io.trafficmirror.core.config.json.Fields.PACKET_LENGTH;
import static io.trafficmirror.core.config.json.Fields.PROTOCOL;
import static io.trafficmirror.core.config.json.Fields.RULE_ACTION;
import static io.trafficmirror.core.config.json.Fields.RULE_ID;
import static io.trafficmirror.core.config.json.Fields.RULE_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SESSIONS;
import static io.trafficmirror.core.config.json.Fields.SESSION_ID;
import static io.trafficmirror.core.config.json.Fields.SESSION_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SOURCE_CIDR;
import static io.trafficmirror.core.config.json.Fields.SOURCE_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.TARGETS;
import static io.trafficmirror.core.config.json.Fields.TARGET_ID;
import static io.trafficmirror.core.config.json.Fields.TO_PORT;
import static io.trafficmirror.core.config.json.Fields.TYPE;
import static io.trafficmirror.core.config.json.Fields.VNI;

/**
 * Turns the output of {@code terraform show -json}, for a state or a plan, into a document of the AWS CLI's shape
 * that {@link AwsJsonReader} reads, remembering for each object the Terraform address it came from so that
 * violations can name the address and attribute ({@code aws_ec2_traffic_mirror_filter_rule.ssh.rule_number}).
 * One use only.
 * <p>
 * A state's resources are those of {@code values.root_module} and its {@code child_modules}. A plan's are its
 * {@code resource_changes} as they will be after apply ({@code change.after}); those to be deleted are left out. An
 * attribute a plan knows only after apply ({@code change.after_unknown}) is resolved through the
 * {@code configuration}'s expressions: a reference to another resource of the plan stands for that resource's id,
 * and an id itself unknown is the resource's address. An unknown {@code virtual_network_id} is left to AWS, as a
 * missing one is; any other unknown attribute is a violation. Zero numbers and empty strings are what the provider
 * stores for optional attributes left unset and are read as absent.
 */
final class TerraformJsonReader
{
    static final String FILTER = "aws_ec2_traffic_mirror_filter";
    static final String FILTER_RULE = "aws_ec2_traffic_mirror_filter_rule";
    static final String TARGET = "aws_ec2_traffic_mirror_target";
    static final String SESSION = "aws_ec2_traffic_mirror_session";

    /** Terraform's attribute for each member of the AWS shape, to name attributes in violations. */
    static final Map<String, String> ATTRIBUTES = Map.ofEntries(
        Map.entry(DESCRIPTION, "description"),
        Map.entry(NETWORK_SERVICES, "network_services"),
        Map.entry(FILTER_ID, "traffic_mirror_filter_id"),
        Map.entry(RULE_ID, "id"),
        Map.entry(DIRECTION, "traffic_direction"),
        Map.entry(RULE_NUMBER, "rule_number"),
        Map.entry(RULE_ACTION, "rule_action"),
        Map.entry(PROTOCOL, "protocol"),
        Map.entry(SOURCE_CIDR, "source_cidr_block"),
        Map.entry(DESTINATION_CIDR, "destination_cidr_block"),
        Map.entry(SOURCE_PORT_RANGE, "source_port_range"),
        Map.entry(DESTINATION_PORT_RANGE, "destination_port_range"),
        Map.entry(FROM_PORT, "from_port"),
        Map.entry(TO_PORT, "to_port"),
        Map.entry(TARGET_ID, "traffic_mirror_target_id"),
        Map.entry(SESSION_ID, "id"),
        Map.entry(NETWORK_INTERFACE_ID, "network_interface_id"),
        Map.entry(SESSION_NUMBER, "session_number"),
        Map.entry(VNI, "virtual_network_id"),
        Map.entry(PACKET_LENGTH, "packet_length"),
        Map.entry("NetworkLoadBalancerArn", "network_load_balancer_arn"),
        Map.entry("GatewayLoadBalancerEndpointId", "gateway_load_balancer_endpoint_id"),
        Map.entry(TYPE, "network_interface_id"));

    private static final String[] TARGET_ATTRIBUTES =
        {"network_interface_id", "network_load_balancer_arn", "gateway_load_balancer_endpoint_id"};
    private static final String[] TARGET_MEMBERS =
        {NETWORK_INTERFACE_ID, "NetworkLoadBalancerArn", "GatewayLoadBalancerEndpointId"};
    private static final String[] TARGET_TYPES =
        {"network-interface", "network-load-balancer", "gateway-load-balancer-endpoint"};

    /** Module outputs followed through at most this many modules, so a cyclic document cannot loop. */
    private static final int MAX_MODULE_DEPTH = 64;

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final String label;
    private final Violations violations;
    /** The Terraform address of each object made, by its AWS path such as {@code TrafficMirrorSessions[0]}. */
    private final Map<String, String> addressByPath = new HashMap<>();
    /** Each managed resource's id, or its address when the id is known only after apply. */
    private final Map<String, String> idByAddress = new HashMap<>();
    /** Each configuration resource's expressions, by its address without instance keys. */
    private final Map<String, JsonNode> expressionsByAddress = new HashMap<>();
    /** Each configuration module, by the start of its resources' addresses without instance keys. */
    private final Map<String, JsonNode> modulesByPrefix = new HashMap<>();
    private final ObjectNode document = nodes.objectNode();

    /**
     * @param label      what to put before an address in a violation: the file's name and a colon, or nothing.
     * @param violations where problems are added.
     */
    TerraformJsonReader(final String label, final Violations violations)
    {
        this.label = label;
        this.violations = violations;
    }

    /**
     * @return true when a document's root is the output of {@code terraform show -json}.
     */
    static boolean isTerraform(final JsonNode root)
    {
        return root != null && root.isObject() && root.has("format_version") &&
            (root.has("values") || root.has("planned_values") || root.has("resource_changes") ||
            root.has("terraform_version"));
    }

    /**
     * @return the AWS-shaped document.
     */
    ObjectNode read(final JsonNode root)
    {
        final JsonNode version = root.get("format_version");
        if (!version.isTextual() || !version.asText().startsWith("1."))
        {
            violations.addWithoutCode(label + "format_version", label + "format_version",
                version.isTextual() ? '"' + Violations.abbreviate(version.asText()) + '"' : version.toString(),
                "a 1.x format of terraform show -json");
            return document;
        }
        if (root.has("resource_changes"))
        {
            readConfiguration(root.path("configuration").path("root_module"), "");
            final JsonNode changes = root.get("resource_changes");
            changes.forEach(change ->
            {
                final JsonNode after = change.path("change").path("after");
                if (isManaged(change) && after.isObject())
                {
                    idByAddress.put(address(change), after.hasNonNull("id") && after.get("id").isTextual() &&
                        !after.get("id").asText().isEmpty() ? after.get("id").asText() : address(change));
                }
            });
            changes.forEach(change ->
            {
                final JsonNode after = change.path("change").path("after");
                if (isManaged(change) && after.isObject() && !change.has("deposed"))
                {
                    resource(change, after, change.path("change").path("after_unknown"));
                }
            });
        }
        else
        {
            readState(root.path("values").path("root_module"));
        }
        return document;
    }

    /**
     * @return the address of each object of the document made, by its path in that document.
     */
    Map<String, String> addresses()
    {
        return addressByPath;
    }

    private void readState(final JsonNode module)
    {
        module.path("resources").forEach(resource ->
        {
            if (isManaged(resource) && resource.path("values").isObject())
            {
                resource(resource, resource.get("values"), nodes.objectNode());
            }
        });
        module.path("child_modules").forEach(this::readState);
    }

    private void readConfiguration(final JsonNode module, final String prefix)
    {
        modulesByPrefix.put(prefix, module);
        module.path("resources").forEach(resource ->
            expressionsByAddress.put(prefix + resource.path("address").asText(), resource.path("expressions")));
        final JsonNode calls = module.path("module_calls");
        calls.fieldNames().forEachRemaining(name ->
            readConfiguration(calls.get(name).path("module"), prefix + "module." + name + "."));
    }

    private static boolean isManaged(final JsonNode resource)
    {
        return !"data".equals(resource.path("mode").asText()) && resource.path("address").isTextual();
    }

    private static String address(final JsonNode resource)
    {
        return resource.get("address").asText();
    }

    private void resource(final JsonNode resource, final JsonNode values, final JsonNode unknown)
    {
        final String type = resource.path("type").asText();
        final Attributes attributes = new Attributes(resource, values, unknown);
        switch (type)
        {
            case FILTER:
                final ObjectNode filter = add(FILTERS, attributes.address);
                filter.put(FILTER_ID, attributes.id());
                attributes.copyText("description", filter, DESCRIPTION);
                final JsonNode services = values.get("network_services");
                if (services != null && !services.isNull() && !(services.isArray() && services.isEmpty()))
                {
                    filter.set(NETWORK_SERVICES, services);
                }
                break;

            case FILTER_RULE:
                final ObjectNode rule = add(FILTER_RULES, attributes.address);
                rule.put(RULE_ID, attributes.id());
                attributes.copyReference("traffic_mirror_filter_id", rule, FILTER_ID);
                attributes.copy("traffic_direction", rule, DIRECTION);
                attributes.copy("rule_number", rule, RULE_NUMBER);
                attributes.copy("rule_action", rule, RULE_ACTION);
                attributes.copyNumber("protocol", rule, PROTOCOL);
                attributes.copy("source_cidr_block", rule, SOURCE_CIDR);
                attributes.copy("destination_cidr_block", rule, DESTINATION_CIDR);
                attributes.copyText("description", rule, DESCRIPTION);
                attributes.copyPorts("source_port_range", rule, SOURCE_PORT_RANGE);
                attributes.copyPorts("destination_port_range", rule, DESTINATION_PORT_RANGE);
                break;

            case TARGET:
                final ObjectNode target = add(TARGETS, attributes.address);
                target.put(TARGET_ID, attributes.id());
                attributes.copyText("description", target, DESCRIPTION);
                int given = 0;
                for (int i = 0; i < TARGET_ATTRIBUTES.length; i++)
                {
                    if (attributes.isGiven(TARGET_ATTRIBUTES[i]))
                    {
                        given++;
                        target.put(TYPE, TARGET_TYPES[i]);
                        attributes.copyReference(TARGET_ATTRIBUTES[i], target, TARGET_MEMBERS[i]);
                    }
                }
                if (given != 1)
                {
                    violations.add(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, label + attributes.address,
                        label + attributes.address + "." + TARGET_ATTRIBUTES[0], given + " of them",
                        "exactly one of " + String.join(", ", TARGET_ATTRIBUTES));
                    target.remove(TYPE);
                }
                break;

            case SESSION:
                final ObjectNode session = add(SESSIONS, attributes.address);
                session.put(SESSION_ID, attributes.id());
                attributes.copyReference("network_interface_id", session, NETWORK_INTERFACE_ID);
                attributes.copyReference("traffic_mirror_filter_id", session, FILTER_ID);
                attributes.copyReference("traffic_mirror_target_id", session, TARGET_ID);
                attributes.copy("session_number", session, SESSION_NUMBER);
                if (!attributes.isUnknown("virtual_network_id"))
                {
                    attributes.copyNumber("virtual_network_id", session, VNI);
                }
                attributes.copyNumber("packet_length", session, PACKET_LENGTH);
                attributes.copyText("description", session, DESCRIPTION);
                break;

            default:
                break;
        }
    }

    private ObjectNode add(final String array, final String address)
    {
        ArrayNode elements = (ArrayNode)document.get(array);
        if (elements == null)
        {
            elements = document.putArray(array);
        }
        addressByPath.put(array + "[" + elements.size() + "]", address);
        return elements.addObject();
    }

    /** One resource's values as the AWS shape wants them. */
    private final class Attributes
    {
        private final String address;
        private final JsonNode values;
        private final JsonNode unknown;

        private Attributes(final JsonNode resource, final JsonNode values, final JsonNode unknown)
        {
            this.address = address(resource);
            this.values = values;
            this.unknown = unknown;
        }

        private String id()
        {
            return idByAddress.getOrDefault(address, text("id") == null ? address : text("id"));
        }

        private String text(final String attribute)
        {
            final JsonNode value = values.get(attribute);
            return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
        }

        private boolean isUnknown(final String attribute)
        {
            return unknown.path(attribute).asBoolean(false);
        }

        private boolean isGiven(final String attribute)
        {
            final JsonNode value = values.get(attribute);
            return isUnknown(attribute) ||
                value != null && !value.isNull() && !(value.isTextual() && value.asText().isEmpty());
        }

        /** Copies a value as it is, so that the reader reports a mistyped one; an unknown one is a violation. */
        private void copy(final String attribute, final ObjectNode to, final String member)
        {
            if (isUnknown(attribute))
            {
                knownOnlyAfterApply(attribute);
                return;
            }
            final JsonNode value = values.get(attribute);
            if (value != null && !value.isNull())
            {
                to.set(member, value);
            }
        }

        private void copyText(final String attribute, final ObjectNode to, final String member)
        {
            final JsonNode value = values.get(attribute);
            if (value == null || !value.isTextual() || !value.asText().isEmpty())
            {
                copy(attribute, to, member);
            }
        }

        private void copyNumber(final String attribute, final ObjectNode to, final String member)
        {
            final JsonNode value = values.get(attribute);
            if (value == null || !value.isNumber() || value.asLong() != 0)
            {
                copy(attribute, to, member);
            }
        }

        private void copyPorts(final String attribute, final ObjectNode to, final String member)
        {
            JsonNode value = values.get(attribute);
            if (value != null && value.isArray() && value.size() <= 1)
            {
                // A block of at most one: Terraform shows it as a list.
                value = value.isEmpty() ? null : value.get(0);
            }
            final JsonNode unknownPorts = unknown.path(attribute).path(0);
            if (isUnknown(attribute) || unknownPorts.path("from_port").asBoolean(false) ||
                unknownPorts.path("to_port").asBoolean(false))
            {
                knownOnlyAfterApply(attribute);
                return;
            }
            if (value == null || value.isNull())
            {
                return;
            }
            if (!value.isObject())
            {
                to.set(member, value);
                return;
            }
            final ObjectNode range = to.putObject(member);
            if (value.hasNonNull("from_port"))
            {
                range.set(FROM_PORT, value.get("from_port"));
            }
            if (value.hasNonNull("to_port"))
            {
                range.set(TO_PORT, value.get("to_port"));
            }
        }

        /** Copies an id, resolving one known only after apply through the reference the configuration gives. */
        private void copyReference(final String attribute, final ObjectNode to, final String member)
        {
            if (!isUnknown(attribute))
            {
                copyText(attribute, to, member);
                return;
            }
            final String resolved = resolve(attribute);
            if (resolved == null)
            {
                violations.add(Ec2ErrorCode.MISSING_PARAMETER, label + address, label + address + "." + attribute,
                    "(known after apply)", "a value known when planning, or a reference to a resource of the plan");
                return;
            }
            to.put(member, resolved);
        }

        private String resolve(final String attribute)
        {
            final JsonNode references = expressionsByAddress
                .getOrDefault(withoutKeys(address), nodes.objectNode()).path(attribute).path("references");
            return TerraformJsonReader.this.resolve(references, moduleOf(address), 0);
        }

        private void knownOnlyAfterApply(final String attribute)
        {
            violations.add(Ec2ErrorCode.MISSING_PARAMETER, label + address, label + address + "." + attribute,
                "(known after apply)", "a value known when planning");
        }
    }

    /**
     * Finds the id a configuration's references stand for: the first that names a resource of the plan, directly
     * ({@code aws_ec2_traffic_mirror_filter.f.id} or {@code aws_ec2_traffic_mirror_filter.f}) or through a child
     * module's output ({@code module.analysis.target_id}), whose expression's references are followed in turn.
     *
     * @param module the module the references are made in, as the start of an address: {@code module.a.} or empty.
     * @return the id, or null when no reference names a resource.
     */
    private String resolve(final JsonNode references, final String module, final int depth)
    {
        for (final JsonNode reference : references)
        {
            final String named = reference.asText();
            if (named.startsWith("module."))
            {
                final int nameEnd = named.indexOf('.', "module.".length());
                final JsonNode called = nameEnd < 0 || depth >= MAX_MODULE_DEPTH ? null :
                    modulesByPrefix.get(withoutKeys(module) + named.substring(0, nameEnd + 1));
                final String output = nameEnd < 0 ? "" : named.substring(nameEnd + 1);
                if (called != null && !output.isEmpty() && output.indexOf('.') < 0)
                {
                    final String id = resolve(called.path("outputs").path(output).path("expression").path("references"),
                        module + named.substring(0, nameEnd + 1), depth + 1);
                    if (id != null)
                    {
                        return id;
                    }
                }
                continue;
            }
            for (final String candidate : List.of(named, named.endsWith(".id") ? named.substring(0, named.length() - 3) : ""))
            {
                final String id = idByAddress.get(module + candidate);
                if (!candidate.isEmpty() && id != null)
                {
                    return id;
                }
            }
        }
        return null;
    }

    /**
     * @return the module part of a resource's address with its trailing dot, e.g. {@code module.mirror[0].}.
     */
    private static String moduleOf(final String address)
    {
        int end = 0;
        int at = 0;
        while (address.startsWith("module.", at))
        {
            final int dot = nextDot(address, at + "module.".length());
            if (dot < 0)
            {
                break;
            }
            end = dot + 1;
            at = end;
        }
        return address.substring(0, end);
    }

    /** The next dot outside brackets, where instance keys such as {@code ["a.b"]} may hold dots. */
    private static int nextDot(final String address, final int from)
    {
        boolean quoted = false;
        int depth = 0;
        for (int i = from; i < address.length(); i++)
        {
            final char c = address.charAt(i);
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '[')
            {
                depth++;
            }
            else if (!quoted && c == ']')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == '.')
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the address with every instance key taken away, as the configuration names the resource.
     */
    private static String withoutKeys(final String address)
    {
        final StringBuilder plain = new StringBuilder(address.length());
        boolean quoted = false;
        int depth = 0;
        for (int i = 0; i < address.length(); i++)
        {
            final char c = address.charAt(i);
            if (c == '"' && depth > 0)
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '[')
            {
                depth++;
            }
            else if (!quoted && c == ']')
            {
                depth--;
            }
            else if (depth == 0)
            {
                plain.append(c);
            }
        }
        return plain.toString();
    }
}
