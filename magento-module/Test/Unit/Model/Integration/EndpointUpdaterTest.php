<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Integration;

use Gladly\Connector\Model\Integration\EndpointUpdater;
use Gladly\Connector\Model\Integration\EndpointUrls;
use InvalidArgumentException;
use Magento\Authorization\Model\Acl\AclRetriever;
use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\State;
use Magento\Integration\Api\IntegrationServiceInterface;
use Magento\Integration\Model\Integration;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;
use Psr\Log\LoggerInterface;
use Gladly\Connector\Test\Unit\MagentoMocks;

/**
 * Tests that the updater changes the integration's URLs only when needed, and nothing else.
 */
class EndpointUpdaterTest extends TestCase
{
    use MagentoMocks;

    private const RESOURCES = ['Magento_Backend::admin', 'Magento_Sales::actions_view', 'Gladly_Connector::config'];

    /**
     * @var IntegrationServiceInterface&MockObject
     */
    private $integrationService;

    /**
     * @var AclRetriever&MockObject
     */
    private $aclRetriever;

    /**
     * @var LoggerInterface&MockObject
     */
    private $logger;

    private EndpointUpdater $updater;

    /**
     * Create the updater with a mocked integration service and ACL reader.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->integrationService = $this->createMock(IntegrationServiceInterface::class);
        $this->aclRetriever = $this->createMock(AclRetriever::class);
        $this->logger = $this->createMock(LoggerInterface::class);
        $this->updater = new EndpointUpdater(
            $this->integrationService,
            $this->aclRetriever,
            new EndpointUrls($this->appState(State::MODE_PRODUCTION)),
            $this->logger
        );
    }

    /**
     * Stored URLs that differ from the ones derived from https://bridge.shop.test.
     *
     * @return array<string, array{string|null, string|null}>
     */
    public function outdatedUrls(): array
    {
        return [
            'placeholders from integration.xml' => [
                'https://bridge.example.com/magento/oauth/callback',
                'https://bridge.example.com/magento/oauth/identity',
            ],
            'only the endpoint differs' => [
                'https://old.shop.test/magento/oauth/callback',
                'https://bridge.shop.test/magento/oauth/identity',
            ],
            'only the identity link differs' => [
                'https://bridge.shop.test/magento/oauth/callback',
                'https://old.shop.test/magento/oauth/identity',
            ],
            'no URLs stored' => [null, null],
        ];
    }

    /**
     * Outdated URLs are replaced, keeping the name and passing the current ACL resources back.
     *
     * @dataProvider outdatedUrls
     * @param string|null $endpoint
     * @param string|null $identityLinkUrl
     * @return void
     */
    public function testUpdatesOutdatedUrlsAndKeepsResources(?string $endpoint, ?string $identityLinkUrl): void
    {
        $this->givenIntegration($endpoint, $identityLinkUrl);
        $this->aclRetriever->expects(self::once())
            ->method('getAllowedResourcesByUser')
            ->with(UserContextInterface::USER_TYPE_INTEGRATION, 7)
            ->willReturn(self::RESOURCES);
        $this->integrationService->expects(self::once())
            ->method('update')
            ->with([
                Integration::ID => 7,
                Integration::NAME => 'Gladly',
                Integration::ENDPOINT => 'https://bridge.shop.test/magento/oauth/callback',
                Integration::IDENTITY_LINK_URL => 'https://bridge.shop.test/magento/oauth/identity',
                'resource' => self::RESOURCES,
            ])
            ->willReturnArgument(0);
        $this->logger->expects(self::once())->method('info');

        self::assertTrue($this->updater->update('https://bridge.shop.test/'));
    }

    /**
     * An integration granted every resource keeps that grant instead of a resource list.
     *
     * @return void
     */
    public function testKeepsAllResourcesGrant(): void
    {
        $this->givenIntegration(null, null);
        $this->aclRetriever->method('getAllowedResourcesByUser')->willReturn(['Magento_Backend::all']);
        $this->integrationService->expects(self::once())
            ->method('update')
            ->with(self::callback(static function (array $data): bool {
                return ($data['all_resources'] ?? false) === true && !array_key_exists('resource', $data);
            }));

        self::assertTrue($this->updater->update('https://bridge.shop.test'));
    }

    /**
     * URLs that already match cause no update, so the integration keeps its tokens and status.
     *
     * @return void
     */
    public function testDoesNothingWhenUrlsAreCurrent(): void
    {
        $this->givenIntegration(
            'https://bridge.shop.test/magento/oauth/callback',
            'https://bridge.shop.test/magento/oauth/identity'
        );
        $this->aclRetriever->expects(self::never())->method('getAllowedResourcesByUser');
        $this->integrationService->expects(self::never())->method('update');

        self::assertFalse($this->updater->update('https://bridge.shop.test/'));
    }

    /**
     * A missing integration (findByName returns an empty model) is logged and left alone.
     *
     * @return void
     */
    public function testDoesNothingWhenIntegrationIsAbsent(): void
    {
        $this->integrationService->expects(self::once())
            ->method('findByName')
            ->with('Gladly')
            ->willReturn($this->model(Integration::class, []));
        $this->integrationService->expects(self::never())->method('update');
        $this->integrationService->expects(self::never())->method('create');
        $this->logger->expects(self::once())->method('info')->with(self::stringContains('not found'));

        self::assertFalse($this->updater->update('https://bridge.shop.test'));
    }

    /**
     * An invalid bridge URL is rejected before the integration is looked up.
     *
     * @return void
     */
    public function testRejectsInvalidBridgeUrlBeforeLookingUp(): void
    {
        $this->integrationService->expects(self::never())->method('findByName');
        $this->expectException(InvalidArgumentException::class);

        $this->updater->update('http://bridge.shop.test');
    }

    /**
     * Make findByName('Gladly') return a stored integration with the given URLs.
     *
     * @param string|null $endpoint
     * @param string|null $identityLinkUrl
     * @return void
     */
    private function givenIntegration(?string $endpoint, ?string $identityLinkUrl): void
    {
        $this->integrationService->expects(self::once())
            ->method('findByName')
            ->with('Gladly')
            ->willReturn($this->model(Integration::class, [
                Integration::ID => '7',
                Integration::NAME => 'Gladly',
                Integration::EMAIL => 'support@bridge.example.com',
                Integration::ENDPOINT => $endpoint,
                Integration::IDENTITY_LINK_URL => $identityLinkUrl,
                Integration::CONSUMER_ID => '3',
            ]));
    }
}
