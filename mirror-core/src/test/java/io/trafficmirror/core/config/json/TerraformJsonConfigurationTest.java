package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The output of {@code terraform show -json} as configuration, alone and joined with AWS JSON. The documents are
 * the getting-started scenario ({@code examples/getting-started.json}) written as Terraform writes a state and a
 * plan that creates it, the target inside the child module {@code module.analysis}; the interfaces come from
 * {@code interfaces.json}, the scenario's {@code NetworkInterfaces} and {@code Vpcs} alone.
 */
class TerraformJsonConfigurationTest
{
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path GETTING_STARTED = EXAMPLES.resolve("getting-started.json");
    private static final Path TERRAFORM = EXAMPLES.resolve(Path.of("src", "test", "resources", "terraform"));
    private static final Path STATE = TERRAFORM.resolve("getting-started-state.json");
    private static final Path PLAN = TERRAFORM.resolve("getting-started-plan.json");
    private static final Path INTERFACES = TERRAFORM.resolve("interfaces.json");

    /** The ids a plan gives the objects it creates: their Terraform addresses. */
    private static final Map<String, String> PLANNED_IDS = Map.ofEntries(
        Map.entry("tmf-04812ff784b25ae67", "aws_ec2_traffic_mirror_filter.getting_started"),
        Map.entry("tmfr-0ab1c2d3e4f500101", "aws_ec2_traffic_mirror_filter_rule.ssh_in_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500102", "aws_ec2_traffic_mirror_filter_rule.ssh_in_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500201", "aws_ec2_traffic_mirror_filter_rule.rest_in_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500202", "aws_ec2_traffic_mirror_filter_rule.rest_in_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500301", "aws_ec2_traffic_mirror_filter_rule.ssh_out_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500302", "aws_ec2_traffic_mirror_filter_rule.ssh_out_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500401", "aws_ec2_traffic_mirror_filter_rule.rest_out_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500402", "aws_ec2_traffic_mirror_filter_rule.rest_out_v6"),
        Map.entry("tmt-09e4f63ab1c7d2e45", "module.analysis.aws_ec2_traffic_mirror_target.analyzer"),
        Map.entry("tms-0c8f2e5b6a7d90123", "aws_ec2_traffic_mirror_session.web"));

    private final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withVniSeed(7);
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void shouldReadAStateJoinedWithInterfacesAsTheEquivalentAwsJson() throws Exception
    {
        final MirrorConfiguration fromTerraform = json.read(List.of(STATE, INTERFACES));

        assertThat(fromTerraform).isEqualTo(json.read(GETTING_STARTED));
        assertThat(fromTerraform.target("tmt-09e4f63ab1c7d2e45").orElseThrow().type())
            .isEqualTo(TargetType.NETWORK_INTERFACE);
    }

    @Test
    void shouldResolveAPlansUnknownIdsThroughItsReferences() throws Exception
    {
        final MirrorConfiguration fromPlan = json.read(List.of(PLAN, INTERFACES));

        assertThat(fromPlan).isEqualTo(json.read(plannedAwsJson()));
        final MirrorSession session = fromPlan.sessions().get(0);
        assertThat(session.id()).isEqualTo("aws_ec2_traffic_mirror_session.web");
        assertThat(session.filterId()).isEqualTo("aws_ec2_traffic_mirror_filter.getting_started");
        assertThat(session.targetId()).isEqualTo("module.analysis.aws_ec2_traffic_mirror_target.analyzer");
    }

    @Test
    void shouldReadTheInterfacesBeforeOrAfterTheMirroring() throws Exception
    {
        assertThat(json.read(List.of(INTERFACES, STATE))).isEqualTo(json.read(List.of(STATE, INTERFACES)));
    }

    @Test
    void shouldLeaveAVniKnownOnlyAfterApplyToAwsAsAMissingOne(@TempDir final Path dir) throws Exception
    {
        final ObjectNode plan = document(PLAN);
        final ObjectNode session = (ObjectNode)change(plan, "aws_ec2_traffic_mirror_session.web").path("change");
        ((ObjectNode)session.get("after")).remove("virtual_network_id");
        ((ObjectNode)session.get("after_unknown")).put("virtual_network_id", true);
        final Path withoutVni = write(dir, "plan.json", plan);
        final Path awsWithoutVni = dir.resolve("aws.json");
        Files.writeString(awsWithoutVni, plannedAwsJson().replace("\"VirtualNetworkId\": 5569041,", ""));

        final MirrorConfiguration fromPlan = json.read(List.of(withoutVni, INTERFACES));

        assertThat(fromPlan.sessions().get(0).virtualNetworkId()).isPresent();
        assertThat(fromPlan.sessions().get(0).virtualNetworkId()).isNotEqualTo(
            json.read(List.of(PLAN, INTERFACES)).sessions().get(0).virtualNetworkId());
        assertThat(fromPlan).isEqualTo(json.read(awsWithoutVni));
    }

    @Test
    void shouldNameTheResourceAddressAndAttributeOfEachProblem(@TempDir final Path dir) throws Exception
    {
        final ObjectNode state = document(STATE);
        final ObjectNode ssh = (ObjectNode)resource(state, "aws_ec2_traffic_mirror_filter_rule.ssh_in_v4").get("values");
        ssh.put("rule_number", 0);
        ((ObjectNode)ssh.get("destination_port_range").get(0)).put("to_port", 70000);
        final ObjectNode target = (ObjectNode)state.path("values").path("root_module").path("child_modules").get(0)
            .path("resources").get(0).get("values");
        target.put("network_load_balancer_arn", "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/a/1");

        final Path file = write(dir, "state.json", state);
        final List<String> messages = problems(List.of(file, INTERFACES));

        assertThat(messages).contains(
            "[InvalidParameterValue] tmfr-0ab1c2d3e4f500101: " +
                file + ":aws_ec2_traffic_mirror_filter_rule.ssh_in_v4.rule_number = 0; allowed: 1..32766",
            "[InvalidParameterCombination] " + file + ":module.analysis.aws_ec2_traffic_mirror_target.analyzer" +
                ".network_interface_id = 2 of them; allowed: exactly one of network_interface_id, " +
                "network_load_balancer_arn, gateway_load_balancer_endpoint_id");
        assertThat(messages).anySatisfy(message -> assertThat(message)
            .startsWith("[InvalidParameterValue] tmfr-0ab1c2d3e4f500101: " +
                file + ":aws_ec2_traffic_mirror_filter_rule.ssh_in_v4.destination_port_range.to_port = 70000; allowed: "));
    }

    @Test
    void shouldNameTheAddressWithoutAFileNameWhenTheDocumentIsAlone() throws Exception
    {
        final List<String> messages = problems(List.of(STATE));

        assertThat(messages).contains("[InvalidNetworkInterfaceID.NotFound] tms-0c8f2e5b6a7d90123: " +
            "aws_ec2_traffic_mirror_session.web.network_interface_id = eni-0f1e2d3c4b5a69788; " +
            "allowed: the id of a source in NetworkInterfaces");
    }

    @Test
    void shouldRefuseAnUnknownIdThatNoReferenceResolves(@TempDir final Path dir) throws Exception
    {
        final ObjectNode plan = document(PLAN);
        final ArrayNode resources = (ArrayNode)plan.path("configuration").path("root_module").path("resources");
        for (final JsonNode resource : resources)
        {
            if ("aws_ec2_traffic_mirror_session.web".equals(resource.path("address").asText()))
            {
                ((ObjectNode)resource.path("expressions").path("traffic_mirror_target_id"))
                    .putArray("references").add("var.target_id");
            }
        }

        final Path file = write(dir, "plan.json", plan);
        final List<String> messages = problems(List.of(file, INTERFACES));

        assertThat(messages).containsExactly("[MissingParameter] " + file + ":aws_ec2_traffic_mirror_session.web" +
            ".traffic_mirror_target_id = (known after apply); " +
            "allowed: a value known when planning, or a reference to a resource of the plan");
    }

    @Test
    void shouldResolveAReferenceFromAResourceWithAnInstanceKey(@TempDir final Path dir) throws Exception
    {
        final ObjectNode plan = document(PLAN);
        final String address = "aws_ec2_traffic_mirror_filter_rule.extra[\"dns\"]";
        final ObjectNode extra = ((ArrayNode)plan.get("resource_changes")).addObject();
        extra.put("address", address).put("mode", "managed").put("type", "aws_ec2_traffic_mirror_filter_rule")
            .put("name", "extra").put("index", "dns");
        final ObjectNode change = extra.putObject("change");
        change.putArray("actions").add("create");
        change.putObject("after").put("traffic_direction", "ingress").put("rule_number", 300)
            .put("rule_action", "accept").put("protocol", 17).put("source_cidr_block", "0.0.0.0/0")
            .put("destination_cidr_block", "0.0.0.0/0").put("description", "").putArray("destination_port_range")
            .addObject().put("from_port", 53).put("to_port", 53);
        change.putObject("after_unknown").put("id", true).put("traffic_mirror_filter_id", true);
        final ObjectNode configured = ((ArrayNode)plan.path("configuration").path("root_module").path("resources"))
            .addObject().put("address", "aws_ec2_traffic_mirror_filter_rule.extra").put("mode", "managed");
        configured.putObject("expressions").putObject("traffic_mirror_filter_id").putArray("references")
            .add("aws_ec2_traffic_mirror_filter.getting_started.id").add("aws_ec2_traffic_mirror_filter.getting_started");

        final MirrorConfiguration fromPlan = json.read(List.of(write(dir, "plan.json", plan), INTERFACES));

        final FilterRule rule = fromPlan.filter("aws_ec2_traffic_mirror_filter.getting_started").orElseThrow()
            .ingressRules().stream().filter(r -> r.ruleNumber() == 300).findFirst().orElseThrow();
        assertThat(rule.id()).contains(address);
        assertThat(rule.protocol()).hasValue(17);
        assertThat(rule.destinationPortRange()).contains(PortRange.single(53));
        assertThat(rule.description()).isEmpty();
    }

    @Test
    void shouldTakeNothingAPlanDeletes(@TempDir final Path dir) throws Exception
    {
        final ObjectNode plan = document(PLAN);
        final ObjectNode extra = ((ArrayNode)plan.get("resource_changes")).addObject();
        extra.put("address", "aws_ec2_traffic_mirror_filter.old").put("mode", "managed")
            .put("type", "aws_ec2_traffic_mirror_filter").put("name", "old");
        final ObjectNode change = extra.putObject("change");
        change.putArray("actions").add("delete");
        change.putObject("before").put("id", "tmf-0000000000000dead");
        change.putNull("after");

        assertThat(json.read(List.of(write(dir, "plan.json", plan), INTERFACES)))
            .isEqualTo(json.read(List.of(PLAN, INTERFACES)));
    }

    @Test
    void shouldRefuseAnIdThatTwoDocumentsDefineNamingBoth() throws Exception
    {
        final List<String> messages = problems(List.of(GETTING_STARTED, STATE));

        assertThat(messages).contains(
            "tmf-04812ff784b25ae67: " + STATE + ":aws_ec2_traffic_mirror_filter.getting_started.id = " +
                "\"tmf-04812ff784b25ae67\"; allowed: an id that one document defines (" + GETTING_STARTED +
                ":TrafficMirrorFilters[0] has it)",
            "tms-0c8f2e5b6a7d90123: " + STATE + ":aws_ec2_traffic_mirror_session.web.id = " +
                "\"tms-0c8f2e5b6a7d90123\"; allowed: an id that one document defines (" + GETTING_STARTED +
                ":TrafficMirrorSessions[0] has it)");
    }

    @Test
    void shouldJoinTwoAwsDocumentsAndNameTheFileOfAProblem(@TempDir final Path dir) throws Exception
    {
        final ObjectNode whole = document(GETTING_STARTED);
        final ObjectNode interfaces = mapper.createObjectNode();
        interfaces.set("NetworkInterfaces", whole.remove("NetworkInterfaces"));
        interfaces.set("Vpcs", whole.remove("Vpcs"));
        final Path mirroring = write(dir, "mirroring.json", whole);
        final Path sources = write(dir, "sources.json", interfaces);

        assertThat(json.read(List.of(mirroring, sources))).isEqualTo(json.read(GETTING_STARTED));

        ((ObjectNode)whole.get("TrafficMirrorSessions").get(0)).put("SessionNumber", 0);
        final List<String> messages = problems(List.of(write(dir, "mirroring.json", whole), sources));
        assertThat(messages).containsExactly("[InvalidParameterValue] tms-0c8f2e5b6a7d90123: " +
            mirroring + ":TrafficMirrorSessions[0].SessionNumber = 0; allowed: 1..32766");
    }

    @Test
    void shouldRefuseAFormatOfAnotherMajorVersion(@TempDir final Path dir) throws Exception
    {
        final ObjectNode state = document(STATE);
        state.put("format_version", "2.0");

        assertThat(problems(List.of(write(dir, "state.json", state))))
            .containsExactly("format_version = \"2.0\"; allowed: a 1.x format of terraform show -json");
    }

    @Test
    void shouldKeepTheMessagesOfASingleAwsDocument(@TempDir final Path dir) throws Exception
    {
        final ObjectNode whole = document(GETTING_STARTED);
        ((ObjectNode)whole.get("TrafficMirrorSessions").get(0)).put("SessionNumber", 0);
        final Path bad = write(dir, "bad.json", whole);

        assertThat(problems(List.of(bad))).containsExactly("[InvalidParameterValue] tms-0c8f2e5b6a7d90123: " +
            "TrafficMirrorSessions[0].SessionNumber = 0; allowed: 1..32766");
    }

    /**
     * @return the getting-started scenario with the ids a plan gives objects not yet created.
     */
    private static String plannedAwsJson() throws Exception
    {
        String document = Files.readString(GETTING_STARTED);
        for (final Map.Entry<String, String> id : PLANNED_IDS.entrySet())
        {
            document = document.replace('"' + id.getKey() + '"', '"' + id.getValue() + '"');
        }
        return document;
    }

    private List<String> problems(final List<Path> files)
    {
        try
        {
            json.read(files);
        }
        catch (final InvalidConfigurationException ex)
        {
            return ex.violations().stream().map(Violation::message).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        throw new AssertionError("read " + files + " without a problem");
    }

    private ObjectNode document(final Path file) throws Exception
    {
        return (ObjectNode)mapper.readTree(file.toFile());
    }

    private Path write(final Path dir, final String name, final JsonNode document) throws Exception
    {
        final Path file = dir.resolve(name);
        mapper.writeValue(file.toFile(), document);
        return file;
    }

    private static JsonNode change(final JsonNode plan, final String address)
    {
        for (final JsonNode change : plan.get("resource_changes"))
        {
            if (address.equals(change.path("address").asText()))
            {
                return change;
            }
        }
        throw new AssertionError("no change of " + address);
    }

    private static JsonNode resource(final JsonNode state, final String address)
    {
        for (final JsonNode resource : state.path("values").path("root_module").path("resources"))
        {
            if (address.equals(resource.path("address").asText()))
            {
                return resource;
            }
        }
        throw new AssertionError("no resource " + address);
    }
}
