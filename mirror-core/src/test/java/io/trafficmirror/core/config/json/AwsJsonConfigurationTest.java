package io.trafficmirror.core.config.json;

import io.trafficmirror.core.config.Fixtures;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.trafficmirror.core.config.Fixtures.minimal;
import static io.trafficmirror.core.config.Fixtures.violationsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

class AwsJsonConfigurationTest
{
    private static final Path GETTING_STARTED = Path.of("..", "examples", "getting-started.json");
    private final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withVniSeed(1);

    @Test
    void shouldLoadTheGettingStartedScenario() throws Exception
    {
        final MirrorConfiguration configuration = json.read(GETTING_STARTED);

        final MirrorFilter filter = configuration.filter("tmf-04812ff784b25ae67").orElseThrow();
        assertThat(filter.ingressRules()).extracting(FilterRule::ruleNumber, FilterRule::action).containsExactly(
            tuple(100, RuleAction.REJECT),
            tuple(101, RuleAction.REJECT),
            tuple(200, RuleAction.ACCEPT),
            tuple(201, RuleAction.ACCEPT));
        assertThat(filter.ingressRules().get(0).destinationPortRange()).contains(PortRange.single(22));
        assertThat(filter.egressRules().get(0).sourcePortRange()).contains(PortRange.single(22));
        assertThat(filter.hasNetworkService(NetworkService.AMAZON_DNS)).isTrue();

        final MirrorSession session = configuration.sessions().get(0);
        assertThat(session.sessionNumber()).isEqualTo(1);
        assertThat(session.virtualNetworkId()).hasValue(5569041);
        assertThat(session.packetLength()).hasValue(8500);

        final MirrorSource source = configuration.source(session.networkInterfaceId()).orElseThrow();
        assertThat(source.privateIpAddress()).contains(InetAddress.getByName("172.31.0.238"));
        assertThat(source.primaryVpcIpv4CidrBlock()).contains(Cidr.parse("172.31.0.0/16"));
        assertThat(configuration.target(session.targetId()).orElseThrow().type()).isEqualTo(TargetType.NETWORK_INTERFACE);
    }

    @Test
    void shouldReadBackWhatItWrites() throws Exception
    {
        final MirrorConfiguration original = json.read(GETTING_STARTED);

        final MirrorConfiguration reread = json.read(json.write(original));

        assertThat(reread).isEqualTo(original);
        assertThat(json.write(reread)).isEqualTo(json.write(original));
    }

    @Test
    void shouldRoundTripThroughAFile(@TempDir final Path dir) throws Exception
    {
        final MirrorConfiguration original = minimal().build();
        final Path file = dir.resolve("config.json");

        json.write(original, file);

        assertThat(json.read(file)).isEqualTo(original);
    }

    @Test
    void shouldLoadRealDescribeOutputIgnoringFieldsItDoesNotUse()
    {
        final MirrorConfiguration configuration = json.read(Documents.AWS_CLI_OUTPUT);

        final MirrorFilter filter = configuration.filters().get(0);
        assertThat(filter.id()).isEqualTo("tmf-07f2ce4581EXAMPLE");
        assertThat(filter.ingressRules()).singleElement().satisfies(rule ->
        {
            assertThat(rule.id()).contains("tmfr-0ca76e0e08EXAMPLE");
            assertThat(rule.protocol()).hasValue(6);
            assertThat(rule.destinationPortRange()).contains(PortRange.of(22, 22));
            assertThat(rule.sourceCidrBlock()).isEqualTo(Cidr.parse("10.0.0.0/24"));
        });
        assertThat(configuration.targets()).singleElement().extracting(MirrorTarget::resourceId)
            .isEqualTo("eni-0fd4e2b0a3EXAMPLE");
        assertThat(configuration.sessions()).singleElement().extracting(MirrorSession::packetLength)
            .isEqualTo(OptionalInt.of(25));
        assertThat(configuration.sources().get(0).vpcCidrBlocks()).containsExactly(
            Cidr.parse("10.0.0.0/16"), Cidr.parse("10.1.0.0/16"), Cidr.parse("2600:1f18:1234:ab00::/56"));
    }

    @Test
    void shouldIgnoreVpcBlocksThatAreNotAssociated()
    {
        final MirrorConfiguration configuration = json.read(Documents.AWS_CLI_OUTPUT);

        assertThat(configuration.sources().get(0).vpcCidrBlocks()).doesNotContain(Cidr.parse("10.2.0.0/16"));
    }

    @Test
    void shouldTreatMissingArraysAsEmpty()
    {
        final MirrorConfiguration empty = json.read("{}");

        assertThat(empty.targets()).isEmpty();
        assertThat(empty.sessions()).isEmpty();
        assertThat(json.read(json.write(empty))).isEqualTo(empty);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ~ ", value = {
        "\"RuleNumber\": 100, ~ '' ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber ~ (missing) ~ 1..32766",
        "\"RuleNumber\": 100, ~ \"RuleNumber\": \"100\", ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber ~ " +
            "\"100\" ~ an integer",
        "\"RuleNumber\": 100, ~ \"RuleNumber\": 1.5, ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber ~ 1.5 ~ " +
            "an integer",
        "\"RuleNumber\": 100, ~ \"RuleNumber\": 4294967296, ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber ~ " +
            "4294967296 ~ an integer",
        "\"RuleNumber\": 100, ~ \"RuleNumber\": 32767, ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber ~ 32767 ~ " +
            "1..32766",
        "\"RuleAction\": \"reject\", ~ \"RuleAction\": \"drop\", ~ TrafficMirrorFilters[0].IngressFilterRules[0].RuleAction ~ " +
            "\"drop\" ~ accept | reject",
        "\"Protocol\": 6, ~ \"Protocol\": \"tcp\", ~ TrafficMirrorFilters[0].IngressFilterRules[0].Protocol ~ \"tcp\" ~ " +
            "an integer",
        "\"ToPort\": 22 ~ \"ToPort\": null ~ TrafficMirrorFilters[0].IngressFilterRules[0].DestinationPortRange.ToPort ~ " +
            "(missing) ~ a port, 0..65535",
        "\"ToPort\": 22 ~ \"ToPort\": 65536 ~ TrafficMirrorFilters[0].IngressFilterRules[0].DestinationPortRange.ToPort ~ " +
            "65536 ~ 0..65535",
        "\"DestinationCidrBlock\": \"0.0.0.0/0\", ~ \"DestinationCidrBlock\": [], ~ " +
            "TrafficMirrorFilters[0].IngressFilterRules[0].DestinationCidrBlock ~ (an array) ~ a string",
        "\"TrafficDirection\": \"ingress\", ~ \"TrafficDirection\": \"egress\", ~ " +
            "TrafficMirrorFilters[0].IngressFilterRules[0].TrafficDirection ~ egress ~ " +
            "ingress (the direction of IngressFilterRules)",
        "\"amazon-dns\" ~ \"amazon-ntp\" ~ TrafficMirrorFilters[0].NetworkServices[0] ~ \"amazon-ntp\" ~ amazon-dns",
        "\"SessionNumber\": 1, ~ '' ~ TrafficMirrorSessions[0].SessionNumber ~ (missing) ~ 1..32766",
        "\"PacketLength\": 8500, ~ \"PacketLength\": 8501, ~ TrafficMirrorSessions[0].PacketLength ~ 8501 ~ 1..8500",
        "\"VirtualNetworkId\": 5569041, ~ \"VirtualNetworkId\": 16777216, ~ TrafficMirrorSessions[0].VirtualNetworkId ~ " +
            "16777216 ~ 0..16777215",
        "\"Type\": \"network-interface\", ~ \"Type\": \"instance\", ~ TrafficMirrorTargets[0].Type ~ \"instance\" ~ " +
            "network-interface | network-load-balancer | gateway-load-balancer-endpoint",
        "\"MacAddress\": \"02:85:69:c2:ab:02\", ~ \"MacAddress\": \"02:85\", ~ NetworkInterfaces[0].MacAddress ~ \"02:85\" ~ " +
            "six hex octets, e.g. 0e:1a:2b:3c:4d:5e",
        "\"PrivateIpAddress\": \"172.31.0.238\", ~ \"PrivateIpAddress\": \"172.31.0.256\", ~ " +
            "NetworkInterfaces[0].PrivateIpAddress ~ \"172.31.0.256\" ~ an IPv4 address literal",
        "\"CidrBlock\": \"172.31.0.0/16\", ~ \"CidrBlock\": \"172.31.0.1/16\", ~ Vpcs[0].CidrBlock ~ \"172.31.0.1/16\" ~ " +
            "no host bits set past /16: the block is 172.31.0.0/16",
    })
    void shouldNameTheJsonPathOfEveryBadField(
        final String original, final String replacement, final String path, final String value, final String allowed)
        throws Exception
    {
        final String document = Files.readString(GETTING_STARTED).replaceFirst(
            Pattern.quote(original), replacement == null ? "" : Matcher.quoteReplacement(replacement));
        assertThat(document).isNotEqualTo(Files.readString(GETTING_STARTED));

        final List<Violation> violations = violationsOf(() -> json.read(document));

        assertThat(violations).anySatisfy(v ->
        {
            assertThat(v.field()).isEqualTo(path);
            assertThat(v.value()).isEqualTo(value);
            assertThat(v.allowed()).isEqualTo(allowed);
        });
        assertThat(violations).as("each problem once").extracting(Violation::field).doesNotHaveDuplicates();
    }

    @Test
    void shouldPlaceCrossObjectProblemsAtTheObjectsPath() throws Exception
    {
        final String document = Files.readString(GETTING_STARTED)
            .replace("\"TrafficMirrorTargetId\": \"tmt-09e4f63ab1c7d2e45\",\n      \"TrafficMirrorFilterId\"",
                "\"TrafficMirrorTargetId\": \"tmt-missing\",\n      \"TrafficMirrorFilterId\"");

        assertThat(violationsOf(() -> json.read(document))).containsExactly(Violation.of(
            Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND, "tms-0c8f2e5b6a7d90123",
            "TrafficMirrorSessions[0].TrafficMirrorTargetId", "tmt-missing", "the id of a target in TrafficMirrorTargets"));
    }

    @Test
    void shouldReportEveryProblemOfADocumentAtOnce()
    {
        final String document = "{\"TrafficMirrorSessions\": [{\"SessionNumber\": 0}, 7], " +
            "\"TrafficMirrorTargets\": {}, \"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-1\"}]}";

        final List<Violation> violations = violationsOf(() -> json.read(document));

        assertThat(violations).extracting(Violation::field).containsExactlyInAnyOrder(
            "TrafficMirrorTargets",
            "TrafficMirrorSessions[0].TrafficMirrorSessionId",
            "TrafficMirrorSessions[0].NetworkInterfaceId",
            "TrafficMirrorSessions[0].TrafficMirrorTargetId",
            "TrafficMirrorSessions[0].TrafficMirrorFilterId",
            "TrafficMirrorSessions[0].SessionNumber",
            "TrafficMirrorSessions[1]",
            "NetworkInterfaces[0].PrivateIpAddress");
    }

    @Test
    void shouldInferTheTargetTypeFromItsResourceField()
    {
        final MirrorConfiguration configuration = json.read(
            "{\"TrafficMirrorTargets\": [{\"TrafficMirrorTargetId\": \"tmt-1\", \"NetworkLoadBalancerArn\": \"arn:nlb\"}," +
            "{\"TrafficMirrorTargetId\": \"tmt-2\", \"GatewayLoadBalancerEndpointId\": \"vpce-1\", \"Mtu\": 1500}]}");

        assertThat(configuration.targets()).extracting(MirrorTarget::type).containsExactly(
            TargetType.NETWORK_LOAD_BALANCER, TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT);
        assertThat(configuration.targets().get(1).mtu()).isEqualTo(1500);
        assertThat(json.read(json.write(configuration))).isEqualTo(configuration);
    }

    @Test
    void shouldTakeTheDirectionOfARuleWithoutOneFromItsList()
    {
        final MirrorConfiguration configuration = json.read("{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": " +
            "\"tmf-1\", \"EgressFilterRules\": [{\"RuleNumber\": 1, \"RuleAction\": \"accept\", " +
            "\"SourceCidrBlock\": \"::/0\", \"DestinationCidrBlock\": \"::/0\"}]}]}");

        assertThat(configuration.filters().get(0).egressRules()).hasSize(1);
    }

    @Test
    void shouldRejectARuleFiledUnderAnotherFilter()
    {
        assertThat(violationsOf(() -> json.read("{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-1\", " +
            "\"IngressFilterRules\": [{\"TrafficMirrorFilterId\": \"tmf-2\", \"RuleNumber\": 1, \"RuleAction\": " +
            "\"accept\", \"SourceCidrBlock\": \"::/0\", \"DestinationCidrBlock\": \"::/0\"}]}]}")))
            .extracting(Violation::field).containsExactly("TrafficMirrorFilters[0].IngressFilterRules[0].TrafficMirrorFilterId");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"TrafficMirrorFilters\": [ {  | line 1, column 29",
        "{\"a\": 1,}                     | line 1, column 9",
        "{\"a\": 1} {\"b\": 2}           | line 1, column 10",
        "{\"a\": 1, \"a\": 2}            | line 1, column 13",
        "{\"a\": NaN}                    | line 1, column 10",
        "[1, 2]                          | (root)",
        "\"text\"                        | (root)",
    })
    void shouldReportMalformedJsonWithLineAndColumn(final String document, final String where)
    {
        final List<Violation> violations = violationsOf(() -> json.read(document));

        assertThat(violations).singleElement().satisfies(v ->
        {
            assertThat(v.objectId()).isEqualTo("document");
            assertThat(v.field()).isEqualTo(where);
        });
    }

    @Test
    void shouldRefuseAnEmptyDocument()
    {
        assertThat(violationsOf(() -> json.read(""))).singleElement().extracting(Violation::field).isEqualTo("(root)");
        assertThat(violationsOf(() -> json.read("   \n  "))).singleElement().extracting(Violation::field)
            .isEqualTo("(root)");
    }

    @Test
    @Timeout(10)
    void shouldRefuseDeepNestingQuickly()
    {
        final String deep = "{\"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";

        assertThat(violationsOf(() -> json.read(deep))).singleElement()
            .satisfies(v -> assertThat(v.value()).contains("nesting depth"));
    }

    @Test
    void shouldRefuseDocumentsOverTheSizeCap() throws Exception
    {
        final String document = Files.readString(GETTING_STARTED);
        final int size = document.getBytes(StandardCharsets.UTF_8).length;

        assertThat(json.withMaxDocumentBytes(size).read(document).sessions()).hasSize(1);
        assertThat(violationsOf(() -> json.withMaxDocumentBytes(size - 1).read(document))).containsExactly(
            Violation.of("document", "size", size + " bytes", "at most " + (size - 1) + " bytes (see withMaxDocumentBytes)"));
        assertThat(violationsOf(() -> json.withMaxDocumentBytes(size - 1).read(GETTING_STARTED)))
            .extracting(Violation::field).containsExactly("size");
        assertThat(json.maxDocumentBytes()).isEqualTo(AwsJsonConfiguration.DEFAULT_MAX_DOCUMENT_BYTES);
    }

    @Test
    void shouldStopReadingAStreamOneBytePastTheCap() throws Exception
    {
        final int cap = 1024;
        final InfiniteStream endless = new InfiniteStream();

        assertThatThrownBy(() -> json.withMaxDocumentBytes(cap).read(endless))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("more than 1024 bytes");
        assertThat(endless.served).isEqualTo(cap + 1);
        assertThat(json.read(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))).targets()).isEmpty();
    }

    @Test
    void shouldCheckAgainstTheChosenQuotas()
    {
        final String fourSessions = json.write(minimal().quotas(Quotas.embedded())
            .addSession(Fixtures.session("tms-2", "eni-1", "tmt-1", "tmf-1", 2).build())
            .addSession(Fixtures.session("tms-3", "eni-1", "tmt-1", "tmf-1", 3).build())
            .addSession(Fixtures.session("tms-4", "eni-1", "tmt-1", "tmf-1", 4).build())
            .build());

        assertThat(violationsOf(() -> json.read(fourSessions))).singleElement().satisfies(v ->
            assertThat(v.field()).isEqualTo("NetworkInterfaces[0].TrafficMirrorSessions"));
        assertThat(json.withQuotas(Quotas.embedded()).read(fourSessions).sessions()).hasSize(4);
    }

    /** Serves 'a' forever and counts what it served. */
    private static final class InfiniteStream extends InputStream
    {
        long served;

        @Override
        public int read()
        {
            served++;
            return 'a';
        }

        @Override
        public int read(final byte[] b, final int off, final int len)
        {
            Arrays.fill(b, off, off + len, (byte)'a');
            served += len;
            return len;
        }
    }

    @Test
    void shouldRefuseAVpcWithMoreBlocksThanAnyQuotaAllowsOnceAndNotPerInterface() throws Exception
    {
        final StringBuilder associations = new StringBuilder();
        for (int i = 0; i <= MirrorSource.MAX_VPC_CIDR_BLOCKS_PER_FAMILY; i++)
        {
            associations.append(i == 0 ? "" : ", ").append("{ \"CidrBlock\": \"10.").append(i).append(".0.0/16\" }");
        }
        final String document = Files.readString(GETTING_STARTED).replace(
            "{ \"AssociationId\": \"vpc-cidr-assoc-0123456789abcdef0\", \"CidrBlock\": \"172.31.0.0/16\", " +
                "\"CidrBlockState\": { \"State\": \"associated\" } }", associations);
        assertThat(document).isNotEqualTo(Files.readString(GETTING_STARTED));

        assertThat(violationsOf(() -> json.read(document))).singleElement().satisfies(v ->
        {
            assertThat(v.objectId()).isEqualTo("vpc-0d9c8b7a6f5e41234");
            assertThat(v.field()).isEqualTo("Vpcs[0]");
            assertThat(v.value()).isEqualTo("52 IPv4 and 0 IPv6 blocks");
            assertThat(v.allowed()).startsWith("at most 50 blocks of each family");
        });

        final MirrorSource.Builder source = MirrorSource.builder().networkInterfaceId("eni-1")
            .privateIpAddress("10.0.0.5").vpcId("vpc-1");
        for (int i = 0; i <= MirrorSource.MAX_VPC_CIDR_BLOCKS_PER_FAMILY; i++)
        {
            source.addVpcCidrBlock("10." + i + ".0.0/16");
        }
        assertThat(violationsOf(source::build)).singleElement().satisfies(v ->
        {
            assertThat(v.field()).isEqualTo("VpcCidrBlocks");
            assertThat(v.value()).isEqualTo("51 IPv4 and 0 IPv6 blocks");
        });
        source.addVpcCidrBlock("10.0.0.0/16"); // a block given twice counts once
        assertThat(violationsOf(source::build)).hasSize(1);
    }

}
