using System;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Gives this session the CDF secret of an environment, and checks the connection.</para>
    /// <para type="description">Keeps the client secret (or API key) in this process's memory for the environment variable the settings
    /// name, so later commands in the session can reach CDF without the variable being set; nothing is written to disk or to the
    /// environment (child processes do not inherit it). Then runs the same checks as Test-MlCdfConnection and returns them; a failing
    /// check is an error. In CI, set the environment variable from the pipeline's secret variables instead.</para>
    /// </summary>
    /// <example>
    ///   <code>Connect-MlCdf prod -Secret (Read-Host -AsSecureString 'CDF client secret')</code>
    ///   <para>Asks for the secret once; later commands in this session reach CDF.</para>
    /// </example>
    /// <example>
    ///   <code>Get-Secret -Name cdf-test | Connect-MlCdf test</code>
    ///   <para>Takes the secret from a SecretManagement vault.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Connect, "MlCdf")]
    [OutputType(typeof(CdfConnectionCheck))]
    public sealed class ConnectMlCdfCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The environment whose CDF connection to set up. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CdfEnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">The client secret or API key, as a SecureString (Read-Host -AsSecureString, or from a vault:
        /// Get-Secret -Name cdf-prod).</para>
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public SecureString Secret { get; set; } = new SecureString();

        protected override void EndProcessing()
        {
            Run(() =>
            {
                var environment = Settings.GetEnvironment(RequireEnvironment(Environment));
                var cdf = environment.Registry.Cdf ?? throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                    $"The environment '{environment.Name}' does not use CDF.", environment.Name, "Name an environment whose registry has \"type\": \"cdf\".");
                Connections.Pool.RememberSecret(cdf.ApiKeyVariable ?? cdf.ClientSecretVariable, Plain(Secret));
                var checks = Connections.TestEnvironment(environment, Cancellation)!;
                checks.ForEach(WriteObject);
                var failed = checks.FirstOrDefault(c => !c.Passed);
                if (failed != null)
                {
                    WriteError(ToErrorRecord(new MlOpsException(MlOps.Diagnostics.CdfErrorIds.CdfConnectionFailed, MlOpsErrorKind.SecurityError, failed.ToString(),
                        failed, "Fix what the failing check names; Test-MlCdfConnection -Detailed runs every check again.")));
                }
            });
        }

        private static string Plain(SecureString secure)
        {
            var pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                if (pointer != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(pointer);
                }
            }
        }
    }
}
