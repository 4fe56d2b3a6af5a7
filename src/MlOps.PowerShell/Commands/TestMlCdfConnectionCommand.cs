using System.Linq;
using System.Management.Automation;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks an environment's connection to CDF: secret, token, project and the capabilities MlOps needs.</para>
    /// <para type="description">For an environment whose registry or services are in CDF, reads the secret of each connection from the
    /// environment variable the settings name (or from Connect-MlCdf, or the vault they name), asks CDF for a token and inspects it: does it
    /// reach the project, and does it carry each capability the environment needs (filesAcl:READ and filesAcl:WRITE for a registry in CDF
    /// Files; those and functionsAcl:READ, functionsAcl:WRITE and sessionsAcl:CREATE for services on CDF Functions)? With a data set in the
    /// settings, it checks that the data set exists; it reports versions in the registry's directory that are in another data set. Returns
    /// $true when every check passes and writes a warning naming each one that fails; with -Detailed, returns one CdfConnectionCheck per
    /// check. Secrets never appear in the output.</para>
    /// </summary>
    /// <example>
    ///   <code>Test-MlCdfConnection prod</code>
    ///   <para>$true when the secret, token, project and capabilities for prod are all in order.</para>
    /// </example>
    /// <example>
    ///   <code>Test-MlCdfConnection prod -Detailed | Where-Object { -not $_.Passed }</code>
    ///   <para>Shows which check fails, for example a missing filesAcl:WRITE.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "MlCdfConnection")]
    [OutputType(typeof(bool), typeof(CdfConnectionCheck))]
    public sealed class TestMlCdfConnectionCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The environment to check. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CdfEnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">Return every check as an object instead of $true or $false.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void EndProcessing()
        {
            Run(() =>
            {
                var environment = Settings.GetEnvironment(RequireEnvironment(Environment));
                var checks = Connections.TestEnvironment(environment, Cancellation)
                    ?? throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                        $"The environment '{environment.Name}' does not use CDF (its registry is {environment.Registry.Type}, its platform {environment.Platform.Type}).",
                        environment.Name, "Name an environment whose registry or platform has \"type\": \"cdf\".");
                if (Detailed)
                {
                    checks.ForEach(WriteObject);
                    return;
                }

                foreach (var failed in checks.Where(c => !c.Passed))
                {
                    WriteWarning(failed.ToString());
                }

                WriteObject(checks.All(c => c.Passed));
            });
        }
    }
}
