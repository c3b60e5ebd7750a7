<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Config\Backend;

use Gladly\Connector\Model\Config\Backend\BridgeUrl;
use Gladly\Connector\Model\Integration\EndpointUpdater;
use Gladly\Connector\Model\Integration\EndpointUrls;
use Magento\Framework\App\Cache\TypeListInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\State;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Model\Context;
use Magento\Framework\Registry;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;
use Gladly\Connector\Test\Unit\MagentoMocks;

/**
 * Tests validation of the bridge URL on save and the integration update after save.
 */
class BridgeUrlTest extends TestCase
{
    use MagentoMocks;

    /**
     * @var EndpointUpdater&MockObject
     */
    private $updater;

    /**
     * Create the mocked integration updater.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->updater = $this->createMock(EndpointUpdater::class);
    }

    /**
     * Submitted values and what is stored.
     *
     * @return array<string, array{mixed, string}>
     */
    public function acceptedValues(): array
    {
        return [
            'canonical' => ['https://bridge.shop.test', 'https://bridge.shop.test'],
            'trailing slash and blanks' => [' https://bridge.shop.test/ ', 'https://bridge.shop.test'],
            'cleared' => ['', ''],
            'null' => [null, ''],
        ];
    }

    /**
     * Accepted values are stored in canonical form.
     *
     * @dataProvider acceptedValues
     * @param mixed $submitted
     * @param string $stored
     * @return void
     */
    public function testBeforeSaveNormalizes($submitted, string $stored): void
    {
        $model = $this->model($submitted);

        self::assertSame($model, $model->beforeSave());
        self::assertSame($stored, $model->getValue());
    }

    /**
     * Submitted values that must be refused.
     *
     * @return array<string, array{string}>
     */
    public function rejectedValues(): array
    {
        return [
            'http' => ['http://bridge.shop.test'],
            'query' => ['https://bridge.shop.test/?a=1'],
            'credentials' => ['https://me:pw@bridge.shop.test'],
            'fragment' => ['https://bridge.shop.test/#x'],
            'not a URL' => ['bridge'],
        ];
    }

    /**
     * Unacceptable values stop the save with a readable error.
     *
     * @dataProvider rejectedValues
     * @param string $submitted
     * @return void
     */
    public function testBeforeSaveRejects(string $submitted): void
    {
        $this->expectException(LocalizedException::class);
        $this->expectExceptionMessage('Invalid Bridge URL: ');

        $this->model($submitted)->beforeSave();
    }

    /**
     * After saving a URL the integration updater runs, even when the value did not change.
     *
     * @return void
     */
    public function testAfterSaveUpdatesIntegration(): void
    {
        $model = $this->model('https://bridge.shop.test', 'https://bridge.shop.test');
        $this->updater->expects(self::once())->method('update')->with('https://bridge.shop.test')->willReturn(false);

        self::assertSame($model, $model->afterSave());
    }

    /**
     * Clearing the URL leaves the integration alone.
     *
     * @return void
     */
    public function testAfterSaveSkipsEmptyValue(): void
    {
        $this->updater->expects(self::never())->method('update');

        $this->model('')->afterSave();
    }

    /**
     * Build the backend model for a submitted value and the value currently saved.
     *
     * @param mixed $value
     * @param string $oldValue
     * @return BridgeUrl
     */
    private function model($value, string $oldValue = ''): BridgeUrl
    {
        $config = $this->createMock(ScopeConfigInterface::class);
        $config->method('getValue')->willReturn($oldValue);

        return new BridgeUrl(
            $this->createMock(Context::class),
            $this->createMock(Registry::class),
            $config,
            $this->createMock(TypeListInterface::class),
            new EndpointUrls($this->appState(State::MODE_PRODUCTION)),
            $this->updater,
            null,
            null,
            ['path' => 'gladly_connector/general/bridge_url', 'value' => $value]
        );
    }
}
