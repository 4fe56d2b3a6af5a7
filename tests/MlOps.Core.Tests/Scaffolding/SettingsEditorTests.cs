using System.Collections;
using MlOps.Diagnostics;
using MlOps.Scaffolding;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Scaffolding;

public class SettingsEditorTests
{
    private const string Entry = "{\n  \"name\": \"churn\",\n  \"codeFolder\": \"models/churn\"\n}";

    [Fact]
    public void A_model_is_appended_after_the_last_entry_and_everything_else_stays_byte_for_byte()
    {
        var original = "\uFEFF{\r\n  // the team's models\r\n  \"project\": \"demo\",\r\n  \"models\": [\r\n    { \"name\": \"diabetes\", \"codeFolder\": \"models/diabetes\" } /* first */\r\n  ],\r\n" +
            "  \"environments\": { \"dev\": { \"registry\": { \"type\": \"local\" } } }\r\n}\r\n";

        var edited = SettingsEditor.AddModel(original, Entry, "mlops.settings.json");

        var inserted = ",\r\n    {\r\n      \"name\": \"churn\",\r\n      \"codeFolder\": \"models/churn\"\r\n    }";
        var at = original.IndexOf("} /* first */", StringComparison.Ordinal) + 1;
        Assert.Equal(original.Insert(at, inserted), edited);
        Assert.Equal(new[] { "diabetes", "churn" }, SettingsEditor.ModelNames(edited, "mlops.settings.json"));
    }

    [Fact]
    public void The_edited_file_loads_with_the_new_model_and_the_old_settings()
    {
        using var project = new TempProject().Standard().WithModelFolder("churn");
        var edited = SettingsEditor.AddModel(File.ReadAllText(project.SettingsPath), Entry, project.SettingsPath);
        File.WriteAllText(project.SettingsPath, edited);

        var settings = SettingsLoader.Load(project.SettingsPath, new Hashtable());
        Assert.Equal(new[] { "diabetes", "churn" }, settings.Models.Select(m => m.Name));
        Assert.Equal(new[] { "prediction", "training" }, settings.Models[0].Services);
        Assert.True(settings.GetEnvironment("prod").IsProtected);
        Assert.Equal("demo", settings.ProjectName);
    }

    [Fact]
    public void An_empty_models_array_gets_the_entry_inside_it()
    {
        var edited = SettingsEditor.AddModel("{\n  \"project\": \"p\",\n  \"models\": []\n}\n", Entry, "s.json");
        Assert.Equal("{\n  \"project\": \"p\",\n  \"models\": [\n    {\n      \"name\": \"churn\",\n      \"codeFolder\": \"models/churn\"\n    }\n  ]\n}\n", edited);
    }

    [Theory]
    [InlineData("{\n  \"project\": \"p\"\n}", "{\n  \"models\": [\n    {\n      \"name\": \"churn\",\n      \"codeFolder\": \"models/churn\"\n    }\n  ],\n  \"project\": \"p\"\n}")]
    [InlineData("{}", "{\n  \"models\": [\n    {\n      \"name\": \"churn\",\n      \"codeFolder\": \"models/churn\"\n    }\n  ]\n}")]
    public void Settings_without_models_get_a_models_array(string original, string expected)
    {
        Assert.Equal(expected, SettingsEditor.AddModel(original, Entry, "s.json"));
    }

    [Theory]
    [InlineData("{ \"models\": { } }")]
    [InlineData("[ ]")]
    [InlineData("{ \"models\": [ ")]
    public void Settings_that_cannot_be_edited_are_an_InvalidSettings_error(string text)
    {
        var error = Assert.Throws<MlOpsException>(() => SettingsEditor.AddModel(text, Entry, "s.json"));
        Assert.Equal(ErrorIds.InvalidSettings, error.ErrorId);
        Assert.Equal("s.json", error.Target);
        Assert.NotNull(error.RecommendedAction);
    }

    [Fact]
    public void The_template_entry_names_the_conventional_folders_and_rejects_invalid_names()
    {
        var entry = SettingsEditor.ModelEntry("churn");
        Assert.Contains("\"codeFolder\": \"models/churn\"", entry);
        Assert.Contains("\"artifactFolder\": \"artifacts/churn\"", entry);
        Assert.Equal(ErrorIds.InvalidModelName, Assert.Throws<MlOpsException>(() => SettingsEditor.ModelEntry("my-model")).ErrorId);
    }
}
