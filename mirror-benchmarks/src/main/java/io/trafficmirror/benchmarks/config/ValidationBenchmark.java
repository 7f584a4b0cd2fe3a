package io.trafficmirror.benchmarks.config;

import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading and validating an AWS JSON document of many filter rules: a hostile one whose rules all share one rule
 * number, so that every rule but the first is a violation, beside a clean one of the same size and shape whose rules
 * are spread over filters of 10,000 distinct numbers each. One operation is one document; divided by the rule count
 * the score is the time per rule, which stays flat from 10,000 to 80,000 rules when validation is linear.
 *
 * <pre>java -jar mirror-benchmarks/target/benchmarks.jar ValidationBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ValidationBenchmark
{
    private static final int RULES_PER_CLEAN_FILTER = 10_000;

    /** Rules in the document. */
    @Param({"10000", "80000"})
    public int rules;

    private String duplicates;
    private String clean;
    private AwsJsonConfiguration json;

    /** Builds both documents; quotas high enough that only the duplicate numbers are at fault. */
    @Setup(Level.Trial)
    public void setUp()
    {
        json = AwsJsonConfiguration.defaults().withVniSeed(1)
            .withQuotas(Quotas.of(Integer.MAX_VALUE, 3, 10, 10_000, 10_000, 10_000));
        duplicates = document(rules, rules, true);
        clean = document(rules, RULES_PER_CLEAN_FILTER, false);
        if (violations(duplicates) != rules - 1 || violations(clean) != 0)
        {
            throw new IllegalStateException("the documents are not what the benchmark needs");
        }
    }

    /**
     * @return the number of violations found, rules - 1.
     */
    @Benchmark
    public int duplicateRuleNumbers()
    {
        return violations(duplicates);
    }

    /**
     * @return 0, the baseline: the same amount of reading and validating with nothing to report.
     */
    @Benchmark
    public int cleanDocument()
    {
        return violations(clean);
    }

    private int violations(final String document)
    {
        try
        {
            json.read(document);
            return 0;
        }
        catch (final InvalidConfigurationException ex)
        {
            return ex.violations().size();
        }
    }

    private static String document(final int rules, final int rulesPerFilter, final boolean sameNumber)
    {
        final StringBuilder text = new StringBuilder(rules * 160).append("{\"TrafficMirrorFilters\":[");
        for (int i = 0; i < rules; i++)
        {
            if (i % rulesPerFilter == 0)
            {
                text.append(i == 0 ? "" : "]},").append("{\"TrafficMirrorFilterId\":\"tmf-").append(i / rulesPerFilter)
                    .append("\",\"IngressFilterRules\":[");
            }
            else
            {
                text.append(',');
            }
            text.append("{\"TrafficDirection\":\"ingress\",\"RuleNumber\":").append(sameNumber ? 7 : 1 + i % rulesPerFilter)
                .append(",\"RuleAction\":\"accept\",\"DestinationCidrBlock\":\"0.0.0.0/0\",")
                .append("\"SourceCidrBlock\":\"0.0.0.0/0\",\"Description\":\"r").append(i).append("\"}");
        }
        return text.append("]}]}").toString();
    }
}
