using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Routing;
using Xunit;

namespace Monitoring.Alerting.Tests.Routing;

public sealed class RouteTests
{
    private static readonly AlertmanagerConfig Config = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("routing.yml"));

    private static string[] Receivers(params string[] labels) =>
        [.. Config.Route.Match(LabelSet.Of(labels)).Select(r => r.Options.Receiver)];

    [Fact]
    public void Match_WithNoMatchingChild_ReturnsTheRootItself()
    {
        var matches = Config.Route.Match(LabelSet.Of("alertname", "X"));
        Assert.Same(Config.Route, Assert.Single(matches));
    }

    [Fact]
    public void Match_ContinueTrue_LetsLaterSiblingsMatchToo()
    {
        Assert.Equal(["pager", "slack-page"], Receivers("severity", "page"));
    }

    [Fact]
    public void Match_DeepestMatchingChildWins_AndItsContinueAppliesAtItsParentsLevel()
    {
        // severity=page goes to the first child (continue), whose own child ml-pager matches; then the second sibling.
        Assert.Equal(["ml-pager", "slack-page"], Receivers("severity", "page", "team", "ml"));
    }

    [Fact]
    public void Match_ChildWithoutContinue_StopsLaterSiblings()
    {
        // credit-prod has continue: true, so credit-other is tried after it.
        Assert.Equal(["credit-prod", "credit-other"], Receivers("model", "credit-risk", "env", "prod", "feature", "zip"));
        Assert.Equal(["credit-prod"], Receivers("model", "credit-risk", "env", "prod", "feature", "age"));
        Assert.Equal(["credit-eu-staging"], Receivers("model", "credit-risk", "region", "eu-west", "feature", "zip"));
        Assert.Equal(["credit"], Receivers("model", "credit-risk", "feature", "age"));
    }

    [Fact]
    public void Match_MissingLabelReadsAsEmpty_ForNegativeMatchers()
    {
        // env is absent, so env!="prod" holds.
        Assert.Equal(["credit-eu-staging"], Receivers("model", "credit-x", "region", "eu-north"));
    }

    [Fact]
    public void Key_IsParentKeySlashSortedMatchers_AsAlertmanagerPrintsThem()
    {
        Assert.Equal("{}", Config.Route.Key);
        Assert.Equal("{}/{severity=\"page\"}", Config.Route.Routes[0].Key);
        Assert.Equal("{}/{severity=\"page\"}/{team=~\"ml|data\"}", Config.Route.Routes[0].Routes[0].Key);
        Assert.Equal("{}/{model=~\"credit-.*\"}/{env!=\"prod\",region=~\"eu-.*\"}", Config.Route.Routes[2].Routes[0].Key);
        Assert.Equal("{}/{severity=\"ticket\",team=\"ml\"}", Config.Route.Routes[3].Key);
    }

    [Fact]
    public void Key_SortsByNameThenValueThenOperator_AndEscapesLikeOpenMetrics()
    {
        var config = AlertmanagerConfig.Load("""
            route:
              receiver: r
              routes:
                - matchers: ['b="x"', 'a!="2"', 'a="2"', 'a=~"1"', 'q="say \"hi\"\\n"']
            receivers:
              - name: r
            """, null);
        Assert.Equal("{}/{a=~\"1\",a=\"2\",a!=\"2\",b=\"x\",q=\"say \\\"hi\\\"\\\\n\"}", config.Route.Routes[0].Key);
    }

    [Fact]
    public void GroupKey_IsRouteKeyColonGroupLabels()
    {
        var alert = LabelSet.Of("alertname", "Drift", "model", "m1", "severity", "page", "feature", "age");
        Assert.Equal("{}/{severity=\"page\"}:{alertname=\"Drift\", model=\"m1\"}", Config.Route.Routes[0].GroupKey(alert));

        var single = AlertmanagerConfig.Load("route:\n  receiver: r\n  group_by: [model]\nreceivers:\n  - name: r\n", null);
        Assert.Equal("{}:{model=\"m1\"}", single.Route.GroupKey(alert)); // as Debian's Alertmanager 0.25 sent it
        Assert.Equal("{}:{}", single.Route.GroupKey(LabelSet.Of("alertname", "X")));
    }

    [Fact]
    public void GroupLabels_WithEllipsis_AreAllLabels()
    {
        var alert = LabelSet.Of("alertname", "Drift", "model", "m1", "severity", "page", "team", "ml");
        var mlPager = Assert.Single(Config.Route.Match(alert), r => r.Options.Receiver == "ml-pager");
        Assert.True(mlPager.Options.GroupByAll);
        Assert.Equal(alert, mlPager.GroupLabels(alert));
        Assert.Equal(TimeSpan.FromSeconds(5), mlPager.Options.GroupWait); // inherited from its parent
    }

    [Fact]
    public void Walk_VisitsEveryRouteDepthFirst()
    {
        Assert.Equal(
            ["route", "route.routes[0]", "route.routes[0].routes[0]", "route.routes[1]", "route.routes[2]", "route.routes[2].routes[0]",
             "route.routes[2].routes[1]", "route.routes[2].routes[2]", "route.routes[3]"],
            Config.Route.Walk().Select(r => r.Path));
    }
}
