using System.Reflection;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;

namespace MlOps.Core.Tests.Diagnostics;

public class RecommendedActionsTests
{
    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Every_stable_error_id_has_its_own_recommended_action()
    {
        var ids = Constants(typeof(ErrorIds)).Concat(Constants(typeof(CdfErrorIds))).ToList();
        Assert.True(ids.Count > 40);
        var missing = ids.Where(id => !RecommendedActions.KnownErrorIds.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "No recommended action for: " + string.Join(", ", missing));
        Assert.All(ids, id => Assert.NotEqual(RecommendedActions.For("NoSuchErrorId"), RecommendedActions.For(id)));
        var unknown = RecommendedActions.KnownErrorIds.Except(ids).ToList();
        Assert.True(unknown.Count == 0, "Entries for ids that do not exist: " + string.Join(", ", unknown));
    }

    [Fact]
    public void The_documented_error_list_holds_exactly_the_error_ids_the_module_can_raise()
    {
        var readme = File.ReadAllText(Path.Combine(ExampleProject.RepoRoot, "docs", "cmdlets.md"));
        var start = readme.IndexOf("Errors are ErrorRecords with stable ids", StringComparison.Ordinal);
        Assert.True(start >= 0, "the error list in docs/cmdlets.md is missing");
        var end = readme.IndexOf("\n\n", start, StringComparison.Ordinal);
        var listed = System.Text.RegularExpressions.Regex.Matches(readme.Substring(start, end - start), "`([A-Z][A-Za-z]+)`")
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var ids = Constants(typeof(ErrorIds)).Concat(Constants(typeof(CdfErrorIds))).ToHashSet(StringComparer.Ordinal);

        Assert.True(ids.Except(listed).Count() == 0, "Missing from docs/cmdlets.md: " + string.Join(", ", ids.Except(listed)));
        Assert.True(listed.Except(ids).Count() == 0, "Listed in docs/cmdlets.md but not raised: " + string.Join(", ", listed.Except(ids)));
    }

    [Fact]
    public void An_unknown_id_gets_a_general_hint()
    {
        Assert.Contains("about_MlOps", RecommendedActions.For("NoSuchErrorId"));
    }
}
