<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Etc;

use DOMComment;
use DOMDocument;
use DOMElement;
use DOMXPath;
use Gladly\Connector\Api\ConfigProviderInterface;
use Gladly\Connector\Api\GoodwillCouponManagementInterface;
use Gladly\Connector\Api\ShippingAddressManagementInterface;
use Gladly\Connector\Controller\Adminhtml\Open\Customer;
use Gladly\Connector\Controller\Adminhtml\Open\Order;
use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\Config\Source\AllowedActions;
use Gladly\Connector\Model\Coupon\IssuedCoupons;
use Gladly\Connector\Model\Integration\EndpointUpdater;
use Gladly\Connector\Model\Integration\EndpointUrls;
use PHPUnit\Framework\TestCase;

/**
 * Cross-checks the etc/*.xml files against each other and against the PHP constants they must match.
 *
 * The XSD checks live in dev/validate-xml.sh; these tests cover what the schemas cannot see.
 */
class ModuleFilesTest extends TestCase
{
    /**
     * The least-privilege resource list of the "Gladly" integration, in file order.
     */
    private const INTEGRATION_RESOURCES = [
        'Magento_Customer::customer' => ['/V1/customers/search', '/V1/customers/{id}'],
        'Magento_Sales::actions_view' => ['/V1/orders', '/V1/orders/{id}', '/V1/orders/items'],
        'Magento_Sales::shipment' => ['/V1/shipments'],
        'Magento_Sales::sales_invoice' => ['/V1/invoices', '/V1/invoice/{id}/refund'],
        'Magento_Sales::sales_creditmemo' => ['/V1/creditmemos'],
        'Magento_Sales::creditmemo' => ['/V1/order/{id}/refund'],
        'Magento_Sales::cancel' => ['/V1/orders/{id}/cancel'],
        'Magento_Sales::comment' => ['/V1/orders/{id}/comments'],
        'Magento_Sales::hold' => ['/V1/orders/{id}/hold'],
        'Magento_Sales::unhold' => ['/V1/orders/{id}/unhold'],
        'Magento_Sales::emails' => ['/V1/orders/{id}/emails'],
        'Magento_Catalog::products' => ['/V1/products'],
        'Magento_Backend::store' => ['/V1/store/storeConfigs'],
        'Gladly_Connector::config' => ['/V1/gladly/config'],
        'Gladly_Connector::order_address' => ['/V1/gladly/orders/{orderId}/shipping-address'],
        'Gladly_Connector::goodwill_coupon' => ['/V1/gladly/orders/{orderId}/goodwill-coupon'],
    ];

    /**
     * integration.xml grants exactly the expected resources, each after a comment naming its routes.
     *
     * @return void
     */
    public function testIntegrationResourcesAreExactAndCommented(): void
    {
        $xpath = $this->load('etc/integration.xml');
        $names = [];
        foreach ($xpath->query('/config/integration[@name="Gladly"]/resources/resource') as $resource) {
            $this->assertInstanceOf(DOMElement::class, $resource);
            $name = $resource->getAttribute('name');
            $names[] = $name;
            $comment = $resource->previousSibling;
            while ($comment !== null && !$comment instanceof DOMComment) {
                $comment = $comment->previousSibling;
            }
            self::assertInstanceOf(DOMComment::class, $comment, 'no comment before ' . $name);
            foreach (self::INTEGRATION_RESOURCES[$name] ?? [] as $route) {
                self::assertStringContainsString($route, $comment->data, $name);
            }
        }

        self::assertSame(array_keys(self::INTEGRATION_RESOURCES), $names);
    }

    /**
     * integration.xml names the integration the updater looks for, an email, and placeholder URLs.
     *
     * @return void
     */
    public function testIntegrationIdentity(): void
    {
        $xpath = $this->load('etc/integration.xml');
        $base = 'https://bridge.example.com';

        self::assertSame(1, $xpath->query('/config/integration')->length);
        self::assertSame(EndpointUpdater::INTEGRATION_NAME, $xpath->evaluate('string(/config/integration/@name)'));
        self::assertNotSame('', $xpath->evaluate('string(/config/integration/email)'));
        self::assertSame(
            $base . EndpointUrls::CALLBACK_PATH,
            $xpath->evaluate('string(/config/integration/endpoint_url)')
        );
        self::assertSame(
            $base . EndpointUrls::IDENTITY_PATH,
            $xpath->evaluate('string(/config/integration/identity_link_url)')
        );
    }

    /**
     * Every ACL id the module uses is declared in acl.xml, under the expected parents.
     *
     * @return void
     */
    public function testAclDeclaresModuleResources(): void
    {
        $xpath = $this->load('etc/acl.xml');
        $config = '//resource[@id="Magento_Config::config"]/resource[@id="Gladly_Connector::config"]';
        $open = '/config/acl/resources/resource[@id="Magento_Backend::admin"]/resource[@id="%s"]';

        $actions = '//resource[@id="Magento_Sales::sales_order"]/resource[@id="Magento_Sales::actions"]'
            . '/resource[@id="%s"]';

        self::assertSame(1, $xpath->query($config)->length);
        self::assertSame(1, $xpath->query(sprintf($actions, 'Gladly_Connector::order_address'))->length);
        self::assertSame(1, $xpath->query(sprintf($actions, 'Gladly_Connector::goodwill_coupon'))->length);
        self::assertSame(1, $xpath->query(sprintf($open, Order::OPEN_RESOURCE))->length);
        self::assertSame(Order::OPEN_RESOURCE, Customer::OPEN_RESOURCE);
    }

    /**
     * The module's web API routes.
     *
     * @return array<string, array{string, string, string, string, string}>
     */
    public function routes(): array
    {
        return [
            'config' => [
                '/V1/gladly/config', 'GET', ConfigProviderInterface::class, 'get', 'Gladly_Connector::config',
            ],
            'shipping address' => [
                '/V1/gladly/orders/:orderId/shipping-address',
                'PUT',
                ShippingAddressManagementInterface::class,
                'update',
                'Gladly_Connector::order_address',
            ],
            'goodwill coupon' => [
                '/V1/gladly/orders/:orderId/goodwill-coupon',
                'POST',
                GoodwillCouponManagementInterface::class,
                'issue',
                'Gladly_Connector::goodwill_coupon',
            ],
        ];
    }

    /**
     * Each web API route is protected by a resource the integration holds and acl.xml declares.
     *
     * @dataProvider routes
     * @param string $url
     * @param string $method
     * @param string $class
     * @param string $serviceMethod
     * @param string $resource
     * @return void
     */
    public function testWebapiRouteResourceIsGranted(
        string $url,
        string $method,
        string $class,
        string $serviceMethod,
        string $resource
    ): void {
        $xpath = $this->load('etc/webapi.xml');
        $route = sprintf('/routes/route[@url="%s"][@method="%s"]', $url, $method);

        self::assertSame($class, $xpath->evaluate('string(' . $route . '/service/@class)'));
        self::assertTrue(method_exists($class, $serviceMethod), $class . '::' . $serviceMethod);
        self::assertSame($serviceMethod, $xpath->evaluate('string(' . $route . '/service/@method)'));
        self::assertSame($resource, $xpath->evaluate('string(' . $route . '/resources/resource/@ref)'));
        self::assertArrayHasKey($resource, self::INTEGRATION_RESOURCES);
        $preference = sprintf('/config/preference[@for="%s"]/@type', $class);
        $implementation = $this->load('etc/di.xml')->evaluate('string(' . $preference . ')');
        self::assertTrue(is_subclass_of($implementation, $class), $implementation);
    }

    /**
     * Each Config path exists as a field in system.xml and has a default in config.xml where needed.
     *
     * @return void
     */
    public function testConfigPathsMatchSystemAndDefaults(): void
    {
        $system = $this->load('etc/adminhtml/system.xml');
        $defaults = $this->load('etc/config.xml');
        $paths = [
            Config::XML_PATH_BRIDGE_URL => '',
            Config::XML_PATH_SETUP_CODE => '',
            Config::XML_PATH_ALLOWED_ACTIONS => implode(',', (new AllowedActions())->getValues()),
            Config::XML_PATH_COUPON_RULES => '',
            Config::XML_PATH_COUPON_LIMIT => (string) Config::DEFAULT_COUPON_LIMIT,
            Config::XML_PATH_COUPON_PERIOD => (string) Config::DEFAULT_COUPON_PERIOD,
        ];
        foreach ($paths as $path => $default) {
            [$section, $group, $field] = explode('/', $path);
            $query = sprintf(
                '/config/system/section[@id="%s"]/group[@id="%s"]/field[@id="%s"]',
                $section,
                $group,
                $field
            );
            self::assertSame(1, $system->query($query)->length, $path);
            self::assertSame($default, $defaults->evaluate('string(/config/default/' . $path . ')'), $path);
        }
        self::assertSame(
            'Gladly_Connector::config',
            $system->evaluate('string(/config/system/section[@id="gladly_connector"]/resource)')
        );
    }

    /**
     * The record's table is declared where IssuedCoupons looks for it, and whitelisted column by column, so that
     * a later release can change it (setup:db-declaration:generate-whitelist writes the same file).
     *
     * @return void
     */
    public function testIssuedCouponsTableIsDeclaredAndWhitelisted(): void
    {
        $xpath = $this->load('etc/db_schema.xml');
        $table = sprintf('/schema/table[@name="%s"]', IssuedCoupons::TABLE);
        $columns = [];
        foreach ($xpath->query($table . '/column/@name') as $name) {
            $columns[] = $name->nodeValue;
        }
        $whitelist = json_decode((string) file_get_contents($this->path('etc/db_schema_whitelist.json')), true);

        self::assertSame(['entity_id', 'customer_id', 'order_id', 'rule_id', 'code', 'created_at'], $columns);
        self::assertSame($columns, array_keys($whitelist[IssuedCoupons::TABLE]['column']));
        self::assertSame('default', $xpath->evaluate('string(' . $table . '/@resource)'));
        self::assertSame(
            'customer_id,created_at',
            implode(',', array_map(
                static fn ($node): string => $node->nodeValue,
                iterator_to_array($xpath->query($table . '/index/column/@name'))
            ))
        );
    }

    /**
     * The secret setup code is an obscure field saved encrypted.
     *
     * @return void
     */
    public function testSetupCodeIsEncrypted(): void
    {
        $field = '/config/system/section/group[@id="general"]/field[@id="setup_code"]';
        $system = $this->load('etc/adminhtml/system.xml');
        $encrypted = 'Magento\\Config\\Model\\Config\\Backend\\Encrypted';

        self::assertSame('obscure', $system->evaluate('string(' . $field . '/@type)'));
        self::assertSame($encrypted, $system->evaluate('string(' . $field . '/backend_model)'));
        self::assertSame(
            $encrypted,
            $this->load('etc/config.xml')->evaluate('string(//setup_code/@backend_model)')
        );
    }

    /**
     * The admin route serves the deep-link URLs the bridge builds.
     *
     * @return void
     */
    public function testAdminRoute(): void
    {
        $xpath = $this->load('etc/adminhtml/routes.xml');
        $route = '/config/router[@id="admin"]/route[@id="gladlybridge"][@frontName="gladlybridge"]';

        self::assertSame(
            'Magento_Backend',
            $xpath->evaluate('string(' . $route . '/module[@name="Gladly_Connector"]/@before)')
        );
    }

    /**
     * module.xml has no setup_version and sequences exactly the modules composer.json requires.
     *
     * @return void
     */
    public function testModuleSequenceMatchesComposer(): void
    {
        $xpath = $this->load('etc/module.xml');
        $composer = json_decode((string) file_get_contents($this->path('composer.json')), true);
        $required = [];
        foreach (array_keys($composer['require']) as $package) {
            if (strpos($package, 'magento/module-') === 0) {
                $name = str_replace(' ', '', ucwords(str_replace('-', ' ', substr($package, 14))));
                $required[] = 'Magento_' . $name;
            }
        }
        $sequence = [];
        foreach ($xpath->query('/config/module[@name="Gladly_Connector"]/sequence/module') as $module) {
            $this->assertInstanceOf(DOMElement::class, $module);
            $sequence[] = $module->getAttribute('name');
        }
        sort($required);
        sort($sequence);

        self::assertSame('', $xpath->evaluate('string(/config/module/@setup_version)'));
        self::assertSame($required, $sequence);
        self::assertSame('gladly/module-connector', $composer['name']);
        self::assertSame('magento2-module', $composer['type']);
        self::assertSame(['registration.php'], $composer['autoload']['files']);
        self::assertSame(['Gladly\\Connector\\' => ''], $composer['autoload']['psr-4']);
    }

    /**
     * Load a module file for XPath queries.
     *
     * @param string $relative
     * @return DOMXPath
     */
    private function load(string $relative): DOMXPath
    {
        $document = new DOMDocument();
        self::assertTrue($document->load($this->path($relative), LIBXML_NONET), $relative);
        return new DOMXPath($document);
    }

    /**
     * Return the absolute path of a module file.
     *
     * @param string $relative
     * @return string
     */
    private function path(string $relative): string
    {
        return dirname(__DIR__, 3) . '/' . $relative;
    }
}
