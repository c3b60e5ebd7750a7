<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Plugin\Backend;

use Magento\Backend\Model\UrlInterface;
use Magento\Framework\App\Request\Http;

/**
 * Brings an agent who opened a Gladly deep link while logged out back to that link after logging in.
 *
 * The admin login form posts to the URL it was shown on. With "Add Secret Key to URLs" on, Magento's
 * Authentication plugin (_redirectIfNeededAfterLogin) then redirects to getUrl(getStartupPageUrl()), the
 * dashboard, because a requested URL's key cannot be trusted. On the module's own open routes, whose
 * actions are public (no key needed), the startup page is the requested deep link instead: getUrl()
 * signs it, and the open controller redirects to the order or customer with a fresh key.
 */
class StartupPagePlugin
{
    private const ROUTE = 'gladlybridge';

    private const CONTROLLER = 'open';

    private const ACTIONS = ['order', 'customer'];

    private Http $request;

    /**
     * Keep the current admin request.
     *
     * @param Http $request
     */
    public function __construct(Http $request)
    {
        $this->request = $request;
    }

    /**
     * Return the requested deep link's route path while one is being opened, else Magento's startup page.
     *
     * @param UrlInterface $subject
     * @param mixed $result Route path of the startup page, e.g. "admin/dashboard".
     * @return mixed
     * @SuppressWarnings(PHPMD.UnusedFormalParameter)
     */
    public function afterGetStartupPageUrl(UrlInterface $subject, $result)
    {
        $action = (string) $this->request->getActionName();
        $id = $this->request->getParam('id');
        if (
            $this->request->getRouteName() !== self::ROUTE
            || $this->request->getControllerName() !== self::CONTROLLER
            || !in_array($action, self::ACTIONS, true)
            || !is_string($id)
            || preg_match('/^[1-9][0-9]{0,9}\z/', $id) !== 1
        ) {
            return $result;
        }
        return self::ROUTE . '/' . self::CONTROLLER . '/' . $action . '/id/' . $id;
    }
}
