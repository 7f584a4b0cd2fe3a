package io.trafficmirror.core.config.json;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.Violation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.trafficmirror.core.config.Fixtures.violationsOf;
import static io.trafficmirror.core.config.json.Documents.AWS_CLI_OUTPUT;
import static io.trafficmirror.core.config.json.Documents.FILTER_RULES_OUTPUT;
import static io.trafficmirror.core.config.json.Documents.jqAdd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The rules of {@code describe-traffic-mirror-filter-rules}, merged into their filters, and documents built to make
 * validation slow.
 */
class AwsJsonFilterRulesTest
{
    private static final String FILTER = "tmf-07f2ce4581EXAMPLE";

    private final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withVniSeed(1);

    @Test
    void shouldMergeTheRuleListingIntoItsFilterTakingARuleListedTwiceOnce()
    {
        final MirrorConfiguration configuration = json.read(jqAdd(AWS_CLI_OUTPUT, FILTER_RULES_OUTPUT));

        final MirrorFilter filter = configuration.filter(FILTER).orElseThrow();
        assertThat(filter.ingressRules()).extracting(r -> r.id().orElseThrow(), FilterRule::ruleNumber, FilterRule::action)
            .containsExactly(
                tuple("tmfr-0ca76e0e08EXAMPLE", 100, RuleAction.ACCEPT),
                tuple("tmfr-0d2b8c4f19EXAMPLE", 200, RuleAction.REJECT));
        assertThat(filter.egressRules()).singleElement().satisfies(rule ->
        {
            assertThat(rule.id()).contains("tmfr-0e3c9d5a2aEXAMPLE");
            assertThat(rule.protocol()).hasValue(17);
            assertThat(rule.sourcePortRange()).contains(PortRange.single(53));
        });
    }

    @Test
    void shouldReadRulesThatOnlyTheListingHolds()
    {
        final String filtersWithoutRules = AWS_CLI_OUTPUT.replaceFirst("(?s)\"IngressFilterRules\": \\[.*?\\n {6}\\],",
            "\"IngressFilterRules\": [],");
        assertThat(filtersWithoutRules).doesNotContain("tmfr-0ca76e0e08EXAMPLE");

        final MirrorConfiguration fromListing = json.read(jqAdd(filtersWithoutRules, FILTER_RULES_OUTPUT));

        assertThat(fromListing.filters()).isEqualTo(json.read(jqAdd(AWS_CLI_OUTPUT, FILTER_RULES_OUTPUT)).filters());
        assertThat(json.read(filtersWithoutRules).filter(FILTER).orElseThrow().ruleCount()).isZero();
    }

    @Test
    void shouldRefuseAListedRuleThatDiffersFromTheFiltersRuleOfItsDirectionAndNumber()
    {
        final String changed = FILTER_RULES_OUTPUT.replaceFirst("\"RuleAction\": \"accept\"", "\"RuleAction\": \"reject\"");

        final List<Violation> violations = violationsOf(() -> json.read(jqAdd(AWS_CLI_OUTPUT, changed)));

        assertThat(violations).singleElement().satisfies(v ->
        {
            assertThat(v.errorCode()).contains(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS);
            assertThat(v.field()).isEqualTo("TrafficMirrorFilterRules[0].RuleNumber");
            assertThat(v.value()).isEqualTo("100");
            assertThat(v.message()).startsWith("[TrafficMirrorFilterRuleAlreadyExists] TrafficMirrorFilterRules[0]");
        });
    }

    @Test
    void shouldRefuseAListedRuleOfAFilterThatIsNotThere()
    {
        final String listing = "{\"TrafficMirrorFilterRules\": [" + rule("tmf-gone", "ingress", 300, "x") + "]}";

        final List<Violation> violations = violationsOf(() -> json.read(jqAdd(AWS_CLI_OUTPUT, listing)));

        assertThat(violations).containsExactly(Violation.of(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND,
            "TrafficMirrorFilterRules[0]", "TrafficMirrorFilterRules[0].TrafficMirrorFilterId", "\"tmf-gone\"",
            "the id of a filter in TrafficMirrorFilters"));
    }

    @Test
    void shouldRequireAListedRuleToNameItsFilterAndDirection()
    {
        final String listing = "{\"TrafficMirrorFilterRules\": [" +
            rule(FILTER, "ingress", 300, "x").replace("\"TrafficMirrorFilterId\": \"" + FILTER + "\",", "") + ", " +
            rule(FILTER, "ingress", 301, "y").replace("\"TrafficDirection\": \"ingress\",", "") + "]}";

        final List<Violation> violations = violationsOf(() -> json.read(jqAdd(AWS_CLI_OUTPUT, listing)));

        assertThat(violations).extracting(Violation::field, v -> v.errorCode().orElseThrow()).containsExactly(
            tuple("TrafficMirrorFilterRules[0].TrafficMirrorFilterId", Ec2ErrorCode.MISSING_PARAMETER),
            tuple("TrafficMirrorFilterRules[1].TrafficDirection", Ec2ErrorCode.MISSING_PARAMETER));
    }

    @Test
    void shouldReadBackWhatItWritesBesideTheListingOfItsOwnRules()
    {
        final MirrorConfiguration original = json.read(jqAdd(AWS_CLI_OUTPUT, FILTER_RULES_OUTPUT));
        final String written = json.write(original);

        assertThat(json.read(written)).isEqualTo(original);
        assertThat(json.read(jqAdd(written, FILTER_RULES_OUTPUT))).isEqualTo(original);
    }

    @Test
    void shouldCodeValueProblemsButNotTheShapeOfTheDocument()
    {
        assertThat(violationsOf(() -> json.read("[]"))).singleElement()
            .satisfies(v -> assertThat(v.errorCode()).isEmpty());
        assertThat(violationsOf(() -> json.read("{\"TrafficMirrorSessions\": {}}"))).singleElement()
            .satisfies(v -> assertThat(v.errorCode()).isEmpty());
        assertThat(violationsOf(() -> json.read("{\"TrafficMirrorFilters\": [")))
            .allSatisfy(v -> assertThat(v.errorCode()).isEmpty());
        assertThat(violationsOf(() -> json.read(AWS_CLI_OUTPUT.replace("\"RuleNumber\": 100", "\"RuleNumber\": \"100\""))))
            .extracting(Violation::field, Violation::errorCode)
            .containsExactly(tuple("TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber",
                Optional.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE)));
        assertThat(violationsOf(() -> json.read(AWS_CLI_OUTPUT.replace("\"RuleNumber\": 100,", ""))))
            .extracting(Violation::field, Violation::errorCode)
            .containsExactly(tuple("TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber",
                Optional.of(Ec2ErrorCode.MISSING_PARAMETER)));
    }

    @Test
    void shouldReportEveryOneOfEightyThousandDuplicateRuleNumbers()
    {
        final int rules = 80_001;
        final StringBuilder document = new StringBuilder("{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"")
            .append(FILTER).append("\", \"IngressFilterRules\": [");
        for (int i = 0; i < rules; i++)
        {
            document.append(i == 0 ? "" : ",").append(compactRule(null, "ingress", 7, "r" + i));
        }
        document.append("]}]}");
        assertThat(document.toString().getBytes(StandardCharsets.UTF_8).length)
            .isLessThan(AwsJsonConfiguration.DEFAULT_MAX_DOCUMENT_BYTES);

        final InvalidConfigurationException thrown =
            catchThrowableOfType(InvalidConfigurationException.class, () -> json.read(document.toString()));

        assertThat(thrown.violations()).hasSize(rules - 1);
        assertThat(thrown.errorCodes()).containsExactly(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS);
        final Set<String> fields = new HashSet<>();
        thrown.violations().forEach(v -> fields.add(v.field()));
        assertThat(fields).hasSize(rules - 1)
            .contains("TrafficMirrorFilters[0].IngressFilterRules[1].RuleNumber",
                "TrafficMirrorFilters[0].IngressFilterRules[" + (rules - 1) + "].RuleNumber")
            .doesNotContain("TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber");
    }

    @Test
    void shouldReportEveryOneOfEightyThousandDuplicateRulesListedOnTheirOwn()
    {
        final int rules = 80_000;
        final StringBuilder document = new StringBuilder(
            "{\"TrafficMirrorFilters\":[{\"TrafficMirrorFilterId\":\"tmf-1\"}],\"TrafficMirrorFilterRules\":[");
        for (int i = 0; i < rules; i++)
        {
            document.append(i == 0 ? "" : ",").append(compactRule("tmf-1", "egress", 9, "r" + i));
        }
        document.append("]}");
        assertThat(document.toString().getBytes(StandardCharsets.UTF_8).length)
            .isLessThan(AwsJsonConfiguration.DEFAULT_MAX_DOCUMENT_BYTES);

        final List<Violation> violations = violationsOf(() -> json.read(document.toString()));

        assertThat(violations).hasSize(rules - 1)
            .allSatisfy(v -> assertThat(v.errorCode()).contains(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS));
        assertThat(violations.get(rules - 2).field()).isEqualTo("TrafficMirrorFilterRules[" + (rules - 1) + "].RuleNumber");
    }

    /** One rule without white space, so that 80,000 fit under the size cap; without a filter id when null. */
    private static String compactRule(final String filterId, final String direction, final int number, final String description)
    {
        return "{" + (filterId == null ? "" : "\"TrafficMirrorFilterId\":\"" + filterId + "\",") +
            "\"TrafficDirection\":\"" + direction + "\",\"RuleNumber\":" + number + ",\"RuleAction\":\"accept\"," +
            "\"DestinationCidrBlock\":\"0.0.0.0/0\",\"SourceCidrBlock\":\"0.0.0.0/0\",\"Description\":\"" +
            description + "\"}";
    }

    /** One rule as describe-traffic-mirror-filter-rules prints it. */
    private static String rule(final String filterId, final String direction, final int number, final String description)
    {
        return "{\"TrafficMirrorFilterId\": \"" + filterId + "\", \"TrafficDirection\": \"" + direction +
            "\", \"RuleNumber\": " + number + ", \"RuleAction\": \"accept\", \"DestinationCidrBlock\": \"0.0.0.0/0\", " +
            "\"SourceCidrBlock\": \"0.0.0.0/0\", \"Description\": \"" + description + "\", \"Tags\": []}";
    }
}
