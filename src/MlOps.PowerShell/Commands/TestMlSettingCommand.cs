using System.Linq;
using System.Management.Automation;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Settings;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks the settings of a model project.</para>
    /// <para type="description">Validates mlops.settings.json and its environment-variable overrides: unknown keys, wrong value types,
    /// invalid model or environment names, missing code folders and model files, unknown services, registry and platform types.
    /// Returns $true when there is no error; each problem is written as a warning. With -Detailed, returns one SettingsProblem object
    /// per problem (file, JSON path, message, what is expected) instead.</para>
    /// </summary>
    /// <example>
    ///   <code>if (-not (Test-MlSetting)) { throw 'Fix mlops.settings.json first.' }</code>
    ///   <para>A CI step that stops when the settings have an error; each problem is shown as a warning.</para>
    /// </example>
    /// <example>
    ///   <code>Test-MlSetting -Detailed | Where-Object Severity -eq Error | Format-Table Path, Message, Expected</code>
    ///   <para>Lists every error with its JSON path and what is expected.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "MlSetting")]
    [OutputType(typeof(bool), typeof(SettingsProblem))]
    public sealed class TestMlSettingCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">Return every problem as a SettingsProblem object instead of $true or $false.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void EndProcessing()
        {
            SettingsCheckResult result;
            try
            {
                result = SettingsLoader.Check(LocateSettings());
            }
            catch (MlOpsException e) when (e.ErrorId == ErrorIds.SettingsNotFound)
            {
                result = new SettingsCheckResult(null, new[]
                {
                    new SettingsProblem(ProblemSeverity.Error, e.Target?.ToString() ?? string.Empty, "$", e.Message, "an " + SettingsLoader.FileName),
                });
            }

            if (Detailed)
            {
                foreach (var problem in result.Problems)
                {
                    WriteObject(problem);
                }

                return;
            }

            foreach (var problem in result.Problems)
            {
                WriteWarning(problem.ToString());
            }

            WriteObject(result.Problems.All(p => p.Severity != ProblemSeverity.Error));
        }
    }
}
