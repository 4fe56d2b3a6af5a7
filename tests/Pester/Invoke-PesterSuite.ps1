<#
.SYNOPSIS
    Runs the Pester suite in this (fresh) process and writes the counts to a JSON file for build.ps1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $Output = 'Normal'
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.7 -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
$result = Invoke-Pester -Configuration $configuration

# The resilience suite's tests (tag Resilience, on the test or a block above it), counted per category tag.
$resilience = [ordered]@{}
foreach ($test in $result.Tests) {
    $tags = @($test.Tag)
    for ($block = $test.Block; $block; $block = $block.Parent) { $tags += @($block.Tag) }
    if ($tags -notcontains 'Resilience') { continue }
    $category = @($tags | Where-Object { $_ -and $_ -ne 'Resilience' } | Select-Object -First 1)
    $name = if ($category) { $category[0] } else { 'other' }
    if (-not $resilience.Contains($name)) { $resilience[$name] = [ordered]@{ Passed = 0; Failed = 0 } }
    if ($test.Result -eq 'Passed') { $resilience[$name].Passed++ } elseif ($test.Result -ne 'Skipped') { $resilience[$name].Failed++ }
}

[pscustomobject]@{
    Passed     = $result.PassedCount
    Failed     = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped    = $result.SkippedCount
    Resilience = $resilience
} | ConvertTo-Json -Depth 4 | Set-Content -Path $ResultPath -Encoding utf8
