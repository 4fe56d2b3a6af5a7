<#
.SYNOPSIS
    Lays out the built module as it ships and packs it into a .nupkg that PSResourceGet installs.

.DESCRIPTION
    From a built repository (build.ps1 -Task Build: bin/, en-US/), writes

        <OutputFolder>/MlOps/<version>/            the module: MlOps.psd1, bin/ (assemblies), module/ (views, about topic),
                                                   en-US/ (cmdlet help, about topic), README.md, CHANGELOG.md
        <OutputFolder>/repository/MlOps.<version>.nupkg

    The repository folder is a PSResourceGet file repository:

        Register-PSResourceRepository -Name MlOpsLocal -Uri <OutputFolder>/repository -Trusted
        Install-PSResource MlOps -Repository MlOpsLocal

    The .nupkg is made by Compress-PSResource (Microsoft.PowerShell.PSResourceGet, shipped with PowerShell 7.4+) in a
    child pwsh whose home and data folders are temporary: loading PSResourceGet creates its repository list in the
    user's data folder, and packaging must not touch the user's PowerShell configuration. (On Windows those folders come
    from the user profile, not the environment, so there PSResourceGet may create its default list if it had none.)

.PARAMETER RepositoryRoot
    The repository root holding the built module (MlOps.psd1, bin/, en-US/).

.PARAMETER OutputFolder
    Where to write MlOps/<version>/ and repository/.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $RepositoryRoot,
    [Parameter(Mandatory)] [string] $OutputFolder
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$manifestPath = Join-Path $RepositoryRoot 'MlOps.psd1'
$version = (Import-PowerShellDataFile $manifestPath).ModuleVersion
foreach ($built in 'bin/MlOps.PowerShell.dll', 'en-US/MlOps.PowerShell.dll-Help.xml') {
    if (-not (Test-Path (Join-Path $RepositoryRoot $built))) { throw "$built is missing: run ./build.ps1 -Task Build first." }
}

$target = Join-Path $OutputFolder "MlOps/$version"
if (Test-Path $target) { Remove-Item $target -Recurse -Force }
New-Item -ItemType Directory -Path (Join-Path $target 'bin') -Force | Out-Null
Copy-Item $manifestPath $target
Copy-Item (Join-Path $RepositoryRoot 'module') $target -Recurse
Copy-Item (Join-Path $RepositoryRoot 'en-US') $target -Recurse
# Assemblies and the dependency manifest; not the debug symbols or the compiler's XML docs (help is generated into en-US).
Get-ChildItem (Join-Path $RepositoryRoot 'bin') -File | Where-Object Extension -in '.dll', '.json' |
    Copy-Item -Destination (Join-Path $target 'bin')
# Third-party assemblies load from bin/Dependencies into a context of their own (see docs/architecture.md).
New-Item -ItemType Directory -Path (Join-Path $target 'bin/Dependencies') -Force | Out-Null
Get-ChildItem (Join-Path $RepositoryRoot 'bin/Dependencies') -File -Filter *.dll | Copy-Item -Destination (Join-Path $target 'bin/Dependencies')
Copy-Item (Join-Path $RepositoryRoot 'README.md'), (Join-Path $RepositoryRoot 'CHANGELOG.md') $target
# Everything the manifest names must be inside the package, relative to it.
$null = Test-ModuleManifest (Join-Path $target 'MlOps.psd1')

$repository = Join-Path $OutputFolder 'repository'
New-Item -ItemType Directory -Path $repository -Force | Out-Null
Get-ChildItem $repository -Filter "MlOps.$version.nupkg" | Remove-Item -Force

$isolated = Join-Path ([IO.Path]::GetTempPath()) "mlops-package-home-$([guid]::NewGuid().ToString('N'))"
$data = Join-Path $isolated '.local/share'
New-Item -ItemType Directory -Path $data, (Join-Path $isolated '.config'), (Join-Path $isolated '.cache') -Force | Out-Null
$saved = @{}
$variables = @{ HOME = $isolated; XDG_DATA_HOME = $data; XDG_CONFIG_HOME = (Join-Path $isolated '.config'); XDG_CACHE_HOME = (Join-Path $isolated '.cache')
    LOCALAPPDATA = $data; APPDATA = $data; PSModulePath = $null }
try {
    foreach ($name in $variables.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $variables[$name])
    }
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    $command = @(if (Test-Path $exe) { $exe } else { 'dotnet', (Join-Path $PSHOME 'pwsh.dll') })
    $script = "`$ErrorActionPreference = 'Stop'; Compress-PSResource -Path '$target' -DestinationPath '$repository'"
    & $command[0] @($command | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Compress-PSResource failed with exit code $LASTEXITCODE." }
}
finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    Remove-Item $isolated -Recurse -Force -ErrorAction SilentlyContinue
}

$package = Join-Path $repository "MlOps.$version.nupkg"
if (-not (Test-Path $package)) { throw "Compress-PSResource wrote no $package." }
[pscustomobject]@{ Module = (Resolve-Path $target).Path; Package = (Resolve-Path $package).Path; Repository = (Resolve-Path $repository).Path }
